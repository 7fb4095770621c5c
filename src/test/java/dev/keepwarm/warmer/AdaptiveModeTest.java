package dev.keepwarm.warmer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.Received;
import dev.keepwarm.support.LearnedGenerate;
import dev.keepwarm.support.ProxyTestBase;
import dev.keepwarm.support.Scrape;
import dev.keepwarm.support.TestClock;
import dev.keepwarm.support.TestClockTimer;
import dev.keepwarm.support.WarmerTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Adaptive mode end to end on the fake Ollama (issue 14): a model used every 30 minutes
 * is sent the rule's keep-alive while keepwarm learns, then keep_alive 0 with a pre-warm
 * shortly before the next use; the pre-warm loads it, the use finds it warm. Time is the
 * test's clock, which the fake keeps expiry by and the pre-warms are planned in.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.policy.default.mode=adaptive", "keepwarm.policy.default.keep-alive=10m",
                "keepwarm.adaptive.min-samples=5", "keepwarm.warmer.interval=1h" })
@Import(TestClockTimer.class)
class AdaptiveModeTest extends WarmerTestBase {

    private static final FakeOllama OLLAMA = FakeOllama.start(TestClock.CLOCK).withModel("rhythm").withModel("other");

    private static final Duration RHYTHM = Duration.ofMinutes(30);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    KeepAliveLearner learner;

    @BeforeEach
    void unloaded() {
        // each test uses its own model; the fake forgets what it received
        OLLAMA.reset();
    }

    @Test
    void aRhythmicModelIsUnloadedBetweenUsesAndPrewarmedBeforeTheNext() {
        assertThat(generate("rhythm")).isEqualTo("10m; rule=default; action=adaptive");
        for (int i = 1; i <= 4; i++) {
            TestClock.CLOCK.advance(RHYTHM);
            assertThat(generate("rhythm")).as("use %d: still learning", i)
                .isEqualTo("10m; rule=default; action=adaptive");
        }
        TestClock.CLOCK.advance(RHYTHM);
        Instant learnedAt = TestClock.CLOCK.instant();
        // five idle times of 30 minutes: unload now, pre-warm at 27 minutes (30m - 10%)
        assertThat(generate("rhythm")).isEqualTo("0s; rule=default; action=adaptive");
        assertThat(lastKeepAlive("rhythm")).isEqualTo("0s");
        await().atMost(Duration.ofSeconds(5)).until(() -> OLLAMA.loaded().isEmpty());
        JsonNode state = adaptiveState("rhythm");
        assertThat(state.get("samples").asLong()).isEqualTo(5);
        assertThat(state.get("reason").asString()).isEqualTo("histogram");
        assertThat(state.get("p50").asDouble()).isEqualTo(31 * 60.0);
        assertThat(Instant.parse(state.get("nextPrewarm").asString()))
            .isEqualTo(learnedAt.plus(Duration.ofMinutes(27)));
        int pingsBefore = OLLAMA.received("/api/generate").size();
        int loads = OLLAMA.loadCount("rhythm") + 1;

        TestClock.CLOCK.advance(Duration.ofMinutes(27));
        await().atMost(Duration.ofSeconds(5)).until(() -> OLLAMA.loadCount("rhythm") == loads);
        assertThat(OLLAMA.loaded()).extracting(m -> m.name()).containsExactly("rhythm:latest");
        Received ping = OLLAMA.received("/api/generate").get(pingsBefore);
        // held from 27 to 34.1 minutes: the 99th percentile's bin end (31m) plus 10%
        assertThat(ping.json().get("keep_alive").asString()).isEqualTo("7m6s");

        TestClock.CLOCK.advance(Duration.ofMinutes(3));
        assertThat(generate("rhythm")).isEqualTo("0s; rule=default; action=adaptive");
        assertThat(OLLAMA.loadCount("rhythm")).as("the use found the pre-warmed model loaded").isEqualTo(loads);
        assertThat(learner.prewarms(KeepAliveLearner.PrewarmOutcome.HIT)).isEqualTo(1);
        assertThat(Scrape.of(managementPort).value("keepwarm_prewarm_pings_total", "outcome", "hit")).isEqualTo(1);
        Scrape scrape = Scrape.of(managementPort);
        assertThat(scrape.find("keepwarm_adaptive_keep_alive_seconds", "model", "rhythm:latest")).singleElement()
            .satisfies(sample -> assertThat(sample.value()).as("unloaded after each use").isZero());
        assertThat(scrape.find("keepwarm_model_resident_seconds_total", "model", "rhythm:latest")).hasSize(1);
    }

    @Test
    void aClientsKeepAliveIsReplacedButAnExplicitUnloadIsNotAUse() {
        assertThat(generate("other", ",\"keep_alive\":\"2h\"")).isEqualTo("10m; rule=default; action=adaptive");
        assertThat(lastKeepAlive("other")).isEqualTo("10m");
        long samples = adaptiveState("other").get("samples").asLong();
        TestClock.CLOCK.advance(Duration.ofMinutes(1));
        EntityExchangeResult<String> unload = ProxyTestBase.webTestClient("http://localhost:" + port)
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"other\",\"keep_alive\":0}")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult();
        assertThat(unload.getResponseHeaders().getFirst("X-Keepwarm-Keep-Alive"))
            .isEqualTo("0; rule=default; action=adaptive");
        assertThat(adaptiveState("other").get("samples").asLong()).as("an unload records no idle time")
            .isEqualTo(samples);
    }

    private String generate(String model) {
        return generate(model, "");
    }

    /** A non-streamed generate through keepwarm: the X-Keepwarm-Keep-Alive header. */
    private String generate(String model, String extraFields) {
        return LearnedGenerate.headers(port, model, extraFields, null, learner).getFirst("X-Keepwarm-Keep-Alive");
    }

    private static String lastKeepAlive(String model) {
        List<Received> generates = OLLAMA.received("/api/generate");
        Received last = generates.get(generates.size() - 1);
        assertThat(last.json().get("model").asString()).isEqualTo(model);
        return last.json().get("keep_alive").asString();
    }

    private JsonNode adaptiveState(String model) {
        String body = ProxyTestBase.webTestClient("http://localhost:" + managementPort)
            .get()
            .uri("/actuator/keepwarm")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
        JsonNode report = JSON.readTree(body);
        for (JsonNode learned : report.get("adaptive").get("models")) {
            if (learned.get("model").asString().equals(model + ":latest")) {
                return learned;
            }
        }
        throw new AssertionError("no adaptive state of " + model + " in " + Map.of("report", body));
    }

}
