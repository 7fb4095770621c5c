package dev.keepwarm.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The residency log the benchmark computes memory-time from: each runner's stay in
 * memory, from the start of its load to its unload, with the time requests held it.
 */
class ResidencyLogTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private static final long SIZE = 4_000_000_000L;

    private final MutableClock clock = MutableClock.at(T0, ZoneOffset.UTC);

    private FakeOllama ollama;

    private TestClient client;

    @BeforeEach
    void start() {
        ollama = FakeOllama.start(clock)
            .withModel(ModelSpec.of("a").withLoadTime(Duration.ofMillis(20)).withSizeBytes(SIZE))
            .withModel(ModelSpec.of("b").withLoadTime(Duration.ofMillis(20)))
            .maxLoadedModels(1);
        client = new TestClient(ollama);
    }

    @AfterEach
    void stop() {
        ollama.close();
    }

    @Test
    void expiredRunnerLeftMemoryAtItsExpiryNotWhenTheFakeLooked() {
        client.ping("{\"model\":\"a\",\"keep_alive\":\"1m\"}");
        clock.advance(Duration.ofMinutes(5));

        assertThat(ollama.residencyLog()).singleElement().satisfies(stay -> {
            assertThat(stay.name()).isEqualTo("a:latest");
            assertThat(stay.sizeBytes()).isEqualTo(SIZE);
            assertThat(stay.loadStarted()).isEqualTo(T0);
            assertThat(stay.loaded()).isEqualTo(T0);
            assertThat(stay.unloaded()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
            assertThat(stay.requests()).isEqualTo(1);
            assertThat(stay.busy()).isZero();
        });
    }

    @Test
    void residentRunnerIsListedOpenAfterTheEndedOnes() {
        client.ping("{\"model\":\"a\",\"keep_alive\":-1}");
        clock.advance(Duration.ofMinutes(1));
        client.ping("{\"model\":\"b\"}"); // one slot: evicts a

        assertThat(ollama.residencyLog()).satisfiesExactly(a -> {
            assertThat(a.name()).isEqualTo("a:latest");
            assertThat(a.unloaded()).as("evicted when b's load began").isEqualTo(T0.plus(Duration.ofMinutes(1)));
            assertThat(a.resident()).isFalse();
        }, b -> {
            assertThat(b.name()).isEqualTo("b:latest");
            assertThat(b.loadStarted()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
            assertThat(b.resident()).isTrue();
        });
    }

    @Test
    void busyCountsTimeWithARequestInFlight() {
        ollama.tokens(3, Duration.ofMillis(100));
        CompletableFuture<HttpResponse<String>> generation = client.postAsync("/api/generate",
                "{\"model\":\"a\",\"prompt\":\"hi\",\"keep_alive\":\"10m\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> ollama.loadCount("a") == 1);
        clock.advance(Duration.ofSeconds(30));

        assertThat(ollama.residencyLog()).singleElement()
            .satisfies(stay -> assertThat(stay.busy()).as("in flight, so far").isEqualTo(Duration.ofSeconds(30)));

        assertThat(generation.join().statusCode()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(20));
        assertThat(ollama.residencyLog()).singleElement().satisfies(stay -> {
            assertThat(stay.busy()).isEqualTo(Duration.ofSeconds(30));
            assertThat(stay.unloaded()).isEqualTo(T0.plus(Duration.ofSeconds(30)).plus(Duration.ofMinutes(10)));
        });
    }

    @Test
    void unloadRequestEndsTheStayAndResetForgetsTheLog() {
        client.ping("{\"model\":\"a\",\"keep_alive\":-1}");
        clock.advance(Duration.ofSeconds(7));
        client.post("/api/generate", "{\"model\":\"a\",\"keep_alive\":0}");

        assertThat(ollama.residencyLog()).singleElement()
            .satisfies(stay -> assertThat(stay.unloaded()).isEqualTo(T0.plusSeconds(7)));

        ollama.reset();
        assertThat(ollama.residencyLog()).isEmpty();
    }

}
