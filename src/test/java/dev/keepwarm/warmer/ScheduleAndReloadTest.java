package dev.keepwarm.warmer;

import java.time.Duration;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.Received;
import dev.keepwarm.support.TestClock;
import dev.keepwarm.support.WarmerTestBase;
import dev.keepwarm.support.WatchedPolicyFile;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Scheduled warm windows, and policies edited in the watched policy file while keepwarm
 * runs.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.interval=200ms", "keepwarm.policy-file-check-interval=100ms" })
class ScheduleAndReloadTest extends WarmerTestBase {

    private static final FakeOllama OLLAMA = FakeOllama.start(TestClock.CLOCK)
        .withModel("office")
        .withModel("newcomer")
        .withModel("mistral");

    private static final WatchedPolicyFile POLICY_FILE = WatchedPolicyFile.create(policy());

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry registry;

    @DynamicPropertySource
    static void policyFile(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.policy-file", () -> POLICY_FILE.path().toString());
    }

    @Test
    void scheduledRuleIsWarmInsideItsWindowAndGetsTheOffHoursKeepAliveOutside() {
        await().atMost(Duration.ofSeconds(5)).until(() -> pinned(OLLAMA, "office"));
        assertThat(keepAliveHeader("office")).isEqualTo("-1; rule=office; action=override");

        TestClock.CLOCK.advance(Duration.ofHours(3)); // the window was now-1h .. now+1h
        assertThat(keepAliveHeader("office")).isEqualTo("2m; rule=office; action=override");
        // the pass that may have read the clock before it moved has ended
        awaitReconcilePasses(OLLAMA, 0);
        int pings = officePings();
        awaitReconcilePasses(OLLAMA, 3); // three passes outside the window
        assertThat(officePings()).as("no pings outside the window").isEqualTo(pings);
    }

    @Test
    void editedPolicyFileAppliesWithoutRestartAndABrokenOneKeepsTheOldRules() {
        POLICY_FILE.replace(policy() + """
                      - match: newcomer
                        keep-alive: forever
                        warm: true
                """);
        // preloaded as soon as it is warm
        await().atMost(Duration.ofSeconds(5)).until(() -> pinned(OLLAMA, "newcomer"));
        assertThat(keepAliveHeader("newcomer")).isEqualTo("-1; rule=newcomer; action=override");

        POLICY_FILE
            .replace("keepwarm:\n  policy:\n    models:\n      - match: newcomer\n        keep-alive: 5 minutes\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> reloads("failed") >= 1);
        assertThat(keepAliveHeader("newcomer")).isEqualTo("-1; rule=newcomer; action=override");
        assertThat(keepAliveHeader("mistral")).isEqualTo("10m; rule=default; action=fill");
    }

    private double reloads(String outcome) {
        return registry.find("keepwarm.policy.reloads")
            .tag("outcome", outcome)
            .counters()
            .stream()
            .mapToDouble(c -> c.count())
            .sum();
    }

    private String keepAliveHeader(String model) {
        return WebClient.create("http://localhost:" + port)
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"" + model + "\",\"prompt\":\"hi\",\"stream\":false}")
            .exchangeToMono(
                    r -> r.releaseBody().thenReturn(r.headers().asHttpHeaders().getFirst("X-Keepwarm-Keep-Alive")))
            .block(Duration.ofSeconds(10));
    }

    private static int officePings() {
        return (int) OLLAMA.received("/api/generate")
            .stream()
            .map(Received::json)
            .filter(json -> json != null && json.path("model").asString("").equals("office") && !json.has("prompt"))
            .count();
    }

    /**
     * The initial policy: a default, and "office" warm in a window from an hour ago to an
     * hour ahead.
     */
    private static String policy() {
        String window = WatchedPolicyFile.windowAround(TestClock.CLOCK.instant());
        return """
                keepwarm:
                  policy:
                    default:
                      keep-alive: 10m
                    models:
                      - match: office
                        keep-alive: forever
                        warm: true
                        schedule:
                          zone: UTC
                          windows: ["%s"]
                          off-hours-keep-alive: 2m
                """.formatted(window);
    }

}
