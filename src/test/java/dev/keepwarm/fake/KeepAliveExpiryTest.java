package dev.keepwarm.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Who sets a loaded model's keep_alive and when it expires (OLLAMA-API.md, "Who sets a
 * loaded model's expiry").
 */
class KeepAliveExpiryTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123456789Z");

    private static final Duration FAST_LOAD = Duration.ofMillis(20);

    private final MutableClock clock = MutableClock.at(T0, ZoneOffset.ofHours(2));

    private FakeOllama ollama;

    private TestClient client;

    @BeforeEach
    void start() {
        ollama = FakeOllama.start(clock)
            .withModel(ModelSpec.of("a").withLoadTime(FAST_LOAD))
            .withModel(ModelSpec.of("b").withLoadTime(FAST_LOAD))
            .withModel(ModelSpec.of("c").withLoadTime(FAST_LOAD));
        client = new TestClient(ollama);
    }

    @AfterEach
    void stop() {
        ollama.close();
    }

    @Test
    void loadUsesDefaultKeepAliveWhenRequestHasNone() {
        client.ping("{\"model\":\"a\"}");

        assertThat(ollama.loaded()).singleElement().satisfies(m -> {
            assertThat(m.keepAlive()).isEqualTo(Duration.ofMinutes(5));
            assertThat(m.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
            assertThat(m.contextLength()).isEqualTo(4096);
            assertThat(m.sizeVram()).isEqualTo(ModelSpec.DEFAULT_SIZE_BYTES);
        });
    }

    @Test
    void requestWithoutKeepAliveKeepsCurrentSetting() {
        client.ping("{\"model\":\"a\",\"keep_alive\":-1}");
        client.ping("{\"model\":\"a\"}");
        assertThat(ollama.loaded()).singleElement().satisfies(m -> assertThat(m.forever()).isTrue());

        client.ping("{\"model\":\"a\",\"keep_alive\":\"5m\"}");
        assertThat(ollama.loaded()).singleElement()
            .satisfies(m -> assertThat(m.keepAlive()).isEqualTo(Duration.ofMinutes(5)));
        assertThat(ollama.loadCount("a")).isEqualTo(1);
    }

    @Test
    void fieldNamesMatchCaseInsensitivelyAndTheLastOneWinsLikeGo() {
        client.ping("{\"model\":\"a\",\"keep_alive\":\"1m\",\"Keep_Alive\":-1}");

        assertThat(ollama.loaded()).singleElement().satisfies(m -> assertThat(m.forever()).isTrue());
    }

    @Test
    void numericKeepAliveIsSeconds() {
        client.ping("{\"model\":\"a\",\"keep_alive\":42.5}");

        assertThat(ollama.loaded()).singleElement()
            .satisfies(m -> assertThat(m.expiresAt()).isEqualTo(T0.plusMillis(42_500)));
    }

    @Test
    void pinnedModelReportsExpiryCenturiesAhead() {
        client.ping("{\"model\":\"a\",\"keep_alive\":-1}");

        JsonNode model = TestClient.json(client.get("/api/ps")).path("models").get(0);
        String expiresAt = model.path("expires_at").stringValue();
        assertThat(expiresAt).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{1,9}\\+02:00");
        assertThat(OffsetDateTime.parse(expiresAt).toInstant()).isEqualTo(T0.plusNanos(Long.MAX_VALUE));
        assertThat(OffsetDateTime.parse(expiresAt).getYear()).isEqualTo(2318);
        assertThat(model.path("name").stringValue()).isEqualTo("a:latest");
        assertThat(model.path("context_length").intValue()).isEqualTo(4096);
        assertThat(model.path("size_vram").longValue()).isEqualTo(ModelSpec.DEFAULT_SIZE_BYTES);
        assertThat(model.path("details").path("format").stringValue()).isEqualTo("gguf");
    }

    @Test
    void modelExpiresWhenClockPassesExpiry() {
        ollama.defaultKeepAlive(Duration.ofMinutes(1));
        client.ping("{\"model\":\"a\"}");

        clock.advance(Duration.ofSeconds(59));
        assertThat(ollama.loaded()).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(ollama.loaded()).isEmpty();
        assertThat(TestClient.json(client.get("/api/ps")).path("models")).isEmpty();
    }

    @Test
    void negativeDefaultKeepAliveMeansForever() {
        ollama.defaultKeepAlive(Duration.ofSeconds(-1));
        client.ping("{\"model\":\"a\"}");

        clock.advance(Duration.ofDays(365 * 100));
        assertThat(ollama.loaded()).singleElement().satisfies(m -> assertThat(m.forever()).isTrue());
    }

    @Test
    void keepAliveZeroExpiresWhenRequestFinishes() {
        client.post("/api/generate", "{\"model\":\"a\",\"prompt\":\"hi\",\"keep_alive\":0}");

        assertThat(ollama.loaded()).isEmpty();
        assertThat(ollama.loadCount("a")).isEqualTo(1);
    }

    @Test
    void expiryTimerStartsWhenLastRequestFinishes() {
        ollama.tokens(4, Duration.ofMillis(150));
        CompletableFuture<HttpResponse<String>> generation = client.postAsync("/api/generate",
                "{\"model\":\"a\",\"prompt\":\"hi\",\"keep_alive\":\"1m\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> ollama.loadCount("a") == 1);

        clock.advance(Duration.ofMinutes(10));
        assertThat(ollama.loaded()).as("resident while in flight").hasSize(1);

        assertThat(generation.join().statusCode()).isEqualTo(200);
        assertThat(ollama.loaded()).singleElement()
            .satisfies(m -> assertThat(m.expiresAt())
                .isEqualTo(T0.plus(Duration.ofMinutes(10)).plus(Duration.ofMinutes(1))));
    }

    @Test
    void unloadRequestExpiresLoadedModelAtOnce() {
        client.ping("{\"model\":\"a\",\"keep_alive\":-1}");

        JsonNode answer = TestClient.json(client.post("/api/generate", "{\"model\":\"a\",\"keep_alive\":0}"));

        assertThat(answer.path("done_reason").stringValue()).isEqualTo("unload");
        assertThat(answer.path("done").booleanValue()).isTrue();
        assertThat(answer.path("response").stringValue()).isEmpty();
        assertThat(ollama.loaded()).isEmpty();
    }

    @Test
    void unloadRequestDoesNotLoadAModelThatIsNotLoaded() {
        JsonNode answer = TestClient.json(client.post("/api/chat", "{\"model\":\"b\",\"keep_alive\":\"0s\"}"));

        assertThat(answer.path("done_reason").stringValue()).isEqualTo("unload");
        assertThat(answer.path("message").path("role").stringValue()).isEqualTo("assistant");
        assertThat(ollama.loaded()).isEmpty();
        assertThat(ollama.loadCount("b")).isZero();
    }

    @Test
    void resetForgetsLoadedModelsButKeepsKnownModels() {
        client.ping("{\"model\":\"a\",\"keep_alive\":-1}");

        ollama.reset();

        assertThat(ollama.loaded()).isEmpty();
        assertThat(ollama.received()).isEmpty();
        assertThat(ollama.loadCount("a")).isZero();
        client.ping("{\"model\":\"a\"}");
        assertThat(ollama.loadCount("a")).isEqualTo(1);
    }

}
