package dev.keepwarm.warmer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.Received;
import dev.keepwarm.support.TestClock;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/** Scheduled warm windows, and policies edited in the watched policy file while keepwarm runs. */
@SpringBootTest(webEnvironment = RANDOM_PORT, properties = {
        "keepwarm.warmer.interval=200ms",
        "keepwarm.policy-file-check-interval=100ms"})
@Import(TestClock.class)
@DirtiesContext
class ScheduleAndReloadTest {

    private static final FakeOllama OLLAMA = FakeOllama.start(TestClock.CLOCK)
            .withModel("office").withModel("newcomer").withModel("mistral");
    private static final Path POLICY_FILE = policyFile();

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry registry;

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.upstream.url", () -> OLLAMA.url().toString());
        registry.add("management.server.port", () -> "0");
        registry.add("keepwarm.policy-file", POLICY_FILE::toString);
    }

    @AfterAll
    static void stopOllama() {
        OLLAMA.close();
    }

    @Test
    void scheduledRuleIsWarmInsideItsWindowAndGetsTheOffHoursKeepAliveOutside() {
        await().atMost(Duration.ofSeconds(5)).until(() -> pinned("office"));
        assertThat(keepAliveHeader("office")).isEqualTo("-1; rule=office; action=override");

        TestClock.CLOCK.advance(Duration.ofHours(3)); // the window was now-1h .. now+1h
        assertThat(keepAliveHeader("office")).isEqualTo("2m; rule=office; action=override");
        int pings = officePings();
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(officePings()).as("no pings outside the window").isEqualTo(pings);
    }

    @Test
    void editedPolicyFileAppliesWithoutRestartAndABrokenOneKeepsTheOldRules() throws IOException {
        write(policy() + """
                      - match: newcomer
                        keep-alive: forever
                        warm: true
                """);
        await().atMost(Duration.ofSeconds(5)).until(() -> pinned("newcomer")); // preloaded as soon as it is warm
        assertThat(keepAliveHeader("newcomer")).isEqualTo("-1; rule=newcomer; action=override");

        write("keepwarm:\n  policy:\n    models:\n      - match: newcomer\n        keep-alive: 5 minutes\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> reloads("failed") >= 1);
        assertThat(keepAliveHeader("newcomer")).isEqualTo("-1; rule=newcomer; action=override");
        assertThat(keepAliveHeader("mistral")).isEqualTo("10m; rule=default; action=fill");
    }

    private double reloads(String outcome) {
        return registry.find("keepwarm.policy.reloads").tag("outcome", outcome).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private String keepAliveHeader(String model) {
        return WebClient.create("http://localhost:" + port).post().uri("/api/generate")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"" + model + "\",\"prompt\":\"hi\",\"stream\":false}")
                .exchangeToMono(r -> r.releaseBody().thenReturn(r.headers().asHttpHeaders()
                        .getFirst("X-Keepwarm-Keep-Alive")))
                .block(Duration.ofSeconds(10));
    }

    private static int officePings() {
        return (int) OLLAMA.received("/api/generate").stream().map(Received::json)
                .filter(json -> json != null && json.path("model").asString("").equals("office") && !json.has("prompt"))
                .count();
    }

    private static boolean pinned(String model) {
        return OLLAMA.loaded().stream().anyMatch(m -> m.name().equals(model + ":latest") && m.forever());
    }

    /** The initial policy: a default, and "office" warm in a window from an hour ago to an hour ahead. */
    private static String policy() {
        ZonedDateTime now = TestClock.CLOCK.instant().atZone(ZoneOffset.UTC);
        ZonedDateTime start = now.minusHours(1);
        String day = start.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ROOT).toUpperCase(Locale.ROOT);
        String window = String.format("%s %02d:%02d-%02d:%02d", day, start.getHour(), start.getMinute(),
                now.plusHours(1).getHour(), now.plusHours(1).getMinute());
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

    private static Path policyFile() {
        try {
            Path file = Files.createTempDirectory("keepwarm-policies").resolve("policies.yml");
            Files.writeString(file, policy());
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(String content) throws IOException {
        Path next = POLICY_FILE.resolveSibling("next.yml");
        Files.writeString(next, content);
        Files.move(next, POLICY_FILE, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

}
