package dev.keepwarm.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;
import tools.jackson.databind.JsonNode;

/**
 * Loads: one at a time, shared by concurrent requests, forced by other options, making
 * room by eviction.
 */
class LoadSchedulingTest {

    private static final Duration FAST_LOAD = Duration.ofMillis(20);

    private final MutableClock clock = MutableClock.at(Instant.parse("2026-03-01T10:00:00Z"));

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
    void differentNumCtxForcesReload() {
        client.ping("{\"model\":\"a\",\"keep_alive\":-1,\"options\":{\"num_ctx\":8192}}");
        assertThat(ollama.loaded()).singleElement().satisfies(m -> assertThat(m.contextLength()).isEqualTo(8192));

        client.ping("{\"model\":\"a\",\"prompt\":\"\"}");

        assertThat(ollama.loadCount("a")).isEqualTo(2);
        assertThat(ollama.loaded()).singleElement().satisfies(m -> {
            assertThat(m.contextLength()).isEqualTo(4096);
            assertThat(m.keepAlive()).as("the pin is lost").isEqualTo(Duration.ofMinutes(5));
        });
    }

    @Test
    void modelsDefaultContextLengthAppliesWithoutNumCtx() {
        ollama.withModel(ModelSpec.of("a").withLoadTime(FAST_LOAD).withDefaultContextLength(8192));

        client.ping("{\"model\":\"a\"}");
        client.ping("{\"model\":\"a\",\"options\":{\"num_ctx\":8192}}");

        assertThat(ollama.loaded()).singleElement().satisfies(m -> assertThat(m.contextLength()).isEqualTo(8192));
        assertThat(ollama.loadCount("a")).isEqualTo(1);
    }

    @Test
    void explicitDefaultOptionsDoNotReload() {
        client.ping("{\"model\":\"a\"}");
        client.ping("{\"model\":\"a\",\"options\":{\"num_ctx\":4096,\"num_batch\":512,\"temperature\":0.1}}");

        assertThat(ollama.loadCount("a")).isEqualTo(1);
    }

    @Test
    void optionOfWrongTypeIsAServerError() {
        HttpResponse<String> response = client.post("/api/generate",
                "{\"model\":\"a\",\"options\":{\"num_ctx\":\"big\"}}");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEqualTo("{\"error\":\"option \\\"num_ctx\\\" must be of type integer\"}");
    }

    @Test
    void evictsIdleModelWithShortestKeepAlive() {
        ollama.maxLoadedModels(2);
        client.ping("{\"model\":\"a\",\"keep_alive\":-1}");
        client.ping("{\"model\":\"b\",\"keep_alive\":\"1m\"}");

        client.ping("{\"model\":\"c\",\"keep_alive\":\"10m\"}");

        assertThat(ollama.loaded()).extracting(LoadedModel::name).containsExactly("a:latest", "c:latest");
    }

    @Test
    void idlePinnedModelCanStillBeEvicted() {
        ollama.maxLoadedModels(1);
        client.ping("{\"model\":\"a\",\"keep_alive\":-1}");

        client.ping("{\"model\":\"b\"}");

        assertThat(ollama.loaded()).extracting(LoadedModel::name).containsExactly("b:latest");
    }

    @Test
    void busyModelIsNotEvictedTheLoadWaits() {
        ollama.maxLoadedModels(1).tokens(4, Duration.ofMillis(100));
        CompletableFuture<HttpResponse<String>> busy = client.postAsync("/api/generate",
                "{\"model\":\"a\",\"prompt\":\"hi\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> ollama.loadCount("a") == 1);

        JsonNode second = TestClient
            .json(client.post("/api/generate", "{\"model\":\"b\",\"prompt\":\"hi\",\"stream\":false}"));

        assertThat(busy.join().body()).contains("\"done_reason\":\"stop\"");
        assertThat(Duration.ofNanos(second.path("load_duration").longValue())).as("waited for a to finish")
            .isGreaterThan(Duration.ofMillis(150));
        assertThat(ollama.loaded()).extracting(LoadedModel::name).containsExactly("b:latest");
    }

    @Test
    void loadsAreSerialisedAcrossModels() {
        ollama.withModel(ModelSpec.of("a").withLoadTime(Duration.ofMillis(300)))
            .withModel(ModelSpec.of("b").withLoadTime(Duration.ofMillis(300)));
        String body = "{\"model\":\"%s\",\"prompt\":\"hi\",\"stream\":false}";
        CompletableFuture<HttpResponse<String>> a = client.postAsync("/api/generate", body.formatted("a"));
        CompletableFuture<HttpResponse<String>> b = client.postAsync("/api/generate", body.formatted("b"));

        long first = TestClient.loadMillis(a.join());
        long second = TestClient.loadMillis(b.join());

        assertThat(Math.min(first, second)).as("the first load").isGreaterThanOrEqualTo(290L);
        assertThat(Math.max(first, second)).as("waited for the first, then loaded").isGreaterThanOrEqualTo(580L);
    }

    @Test
    void concurrentRequestsForALoadingModelShareOneLoad() {
        ollama.withModel(ModelSpec.of("a").withLoadTime(Duration.ofMillis(200)));
        CompletableFuture<HttpResponse<String>> first = client.postAsync("/api/generate", "{\"model\":\"a\"}");
        CompletableFuture<HttpResponse<String>> second = client.postAsync("/api/chat", "{\"model\":\"a\"}");

        assertThat(first.join().statusCode()).isEqualTo(200);
        assertThat(second.join().statusCode()).isEqualTo(200);
        assertThat(ollama.loadCount("a")).isEqualTo(1);
    }

    @Test
    void loadDurationIsLoadTimeWhenColdAndTinyWhenWarm() {
        ollama.withModel(ModelSpec.of("a").withLoadTime(Duration.ofMillis(250)));
        String body = "{\"model\":\"a\",\"prompt\":\"hi\",\"stream\":false}";

        long cold = TestClient.loadMillis(client.post("/api/generate", body));
        long warm = TestClient.loadMillis(client.post("/api/generate", body));

        assertThat(cold).isBetween(240L, 1_000L);
        assertThat(warm).isLessThan(50L);
    }

    @Test
    void loadingModelIsAlreadyListed() {
        ollama.withModel(ModelSpec.of("a").withLoadTime(Duration.ofMillis(400)));
        CompletableFuture<HttpResponse<String>> ping = client.postAsync("/api/generate", "{\"model\":\"a\"}");

        await().atMost(Duration.ofSeconds(2)).until(() -> !ollama.loaded().isEmpty());
        assertThat(ollama.loadCount("a")).isZero();
        assertThat(ping.join().statusCode()).isEqualTo(200);
        assertThat(ollama.loadCount("a")).isEqualTo(1);
    }

    @Test
    void keepsLoadingAndStreamingWhileVirtualTimeIsInstalled() {
        ollama.tokens(2, Duration.ofMillis(20));
        VirtualTimeScheduler.getOrSet();
        try {
            HttpResponse<String> response = client.post("/api/generate", "{\"model\":\"a\",\"prompt\":\"hi\"}");

            assertThat(response.body()).contains("\"done_reason\":\"stop\"");
            assertThat(ollama.loadCount("a")).isEqualTo(1);
        }
        finally {
            VirtualTimeScheduler.reset();
        }
    }

}
