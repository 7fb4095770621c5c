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

/**
 * The Ollama failure modes a pin must survive (OLLAMA-API.md, "Since v0.33"): an /api/ps
 * that never answers, a crashed runner still listed, a wedged scheduler, and
 * {@code shift} and automatic context as reload triggers.
 */
class FailureModesTest {

    private static final Duration FAST_LOAD = Duration.ofMillis(20);

    private final MutableClock clock = MutableClock.at(Instant.parse("2026-03-01T10:00:00Z"));

    private FakeOllama ollama;

    private TestClient client;

    @BeforeEach
    void start() {
        ollama = FakeOllama.start(clock)
            .withModel(ModelSpec.of("a").withLoadTime(FAST_LOAD))
            .withModel(ModelSpec.of("b").withLoadTime(FAST_LOAD));
        client = new TestClient(ollama);
    }

    @AfterEach
    void stop() {
        ollama.close();
    }

    @Test
    void hungPathAcceptsTheRequestAndNeverAnswersWhileOtherPathsWork() {
        ollama.hang("/api/ps");

        CompletableFuture<HttpResponse<String>> ps = client.postAsync("/api/ps", "");
        HttpResponse<String> version = client.get("/api/version");

        assertThat(version.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> ollama.received("/api/ps").size() == 1);
        assertThat(ps).as("accepted, never answered").isNotDone();
        ps.cancel(true);

        ollama.answer("/api/ps");
        assertThat(client.get("/api/ps").statusCode()).isEqualTo(200);
    }

    @Test
    void deadRunnerStaysListedAndTheNextRequestReloadsItWithThatRequestsKeepAlive() {
        client.ping("{\"model\":\"a\",\"keep_alive\":-1}");
        ollama.killRunner("a");

        assertThat(ollama.loaded()).extracting(LoadedModel::name)
            .as("/api/ps still lists it")
            .containsExactly("a:latest");
        assertThat(TestClient.json(client.get("/api/ps")).path("models").size()).isEqualTo(1);

        client.ping("{\"model\":\"a\",\"keep_alive\":\"5m\"}");

        assertThat(ollama.loadCount("a")).as("the request found the runner dead and reloaded it").isEqualTo(2);
        assertThat(ollama.loaded()).singleElement()
            .satisfies(m -> assertThat(m.keepAlive()).isEqualTo(Duration.ofMinutes(5)));
        client.ping("{\"model\":\"a\"}");
        assertThat(ollama.loadCount("a")).as("the new runner is alive").isEqualTo(2);
    }

    @Test
    void wedgedSchedulerServesLoadedModelsAndHangsEveryLoadUntilUnwedged() {
        client.ping("{\"model\":\"a\",\"keep_alive\":-1}");
        ollama.wedge();

        HttpResponse<String> loaded = client.post("/api/generate",
                "{\"model\":\"a\",\"prompt\":\"hi\",\"stream\":false}");
        CompletableFuture<HttpResponse<String>> load = client.postAsync("/api/generate", "{\"model\":\"b\"}");

        assertThat(loaded.statusCode()).as("a loaded model still answers").isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> ollama.received("/api/generate").size() == 3);
        assertThat(load).as("the load of b waits in the wedge").isNotDone();
        assertThat(ollama.loaded()).extracting(LoadedModel::name)
            .as("a queued load is not listed")
            .containsExactly("a:latest");

        ollama.unwedge();

        assertThat(load.join().statusCode()).isEqualTo(200);
        assertThat(ollama.loadCount("b")).isEqualTo(1);
    }

    @Test
    void anotherShiftSettingReloadsTheRunner() {
        client.ping("{\"model\":\"a\",\"keep_alive\":-1}");
        client.ping("{\"model\":\"a\",\"shift\":true}");
        assertThat(ollama.loadCount("a")).as("shift true is the default").isEqualTo(1);

        client.ping("{\"model\":\"a\",\"shift\":false}");

        assertThat(ollama.loadCount("a")).isEqualTo(2);
        assertThat(ollama.loaded()).singleElement()
            .satisfies(m -> assertThat(m.keepAlive()).as("the reload took the default keep_alive: the pin is lost")
                .isEqualTo(Duration.ofMinutes(5)));
    }

    @Test
    void automaticContextReloadsBetweenExplicitAndOmittedNumCtx() {
        ollama.automaticContext(true);
        client.ping("{\"model\":\"a\",\"keep_alive\":-1}");
        client.post("/v1/chat/completions", "{\"model\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(ollama.loadCount("a")).as("a ping without num_ctx matches /v1 traffic").isEqualTo(1);
        assertThat(ollama.loaded()).singleElement()
            .satisfies(m -> assertThat(m.contextLength()).as("/api/ps shows the context Ollama chose")
                .isEqualTo(ModelSpec.DEFAULT_CONTEXT_LENGTH));

        client.ping("{\"model\":\"a\",\"keep_alive\":-1,\"options\":{\"num_ctx\":4096}}");
        assertThat(ollama.loadCount("a")).as("an explicit num_ctx is another runner").isEqualTo(2);
        client.post("/v1/chat/completions", "{\"model\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(ollama.loadCount("a")).as("and the next /v1 request reloads it").isEqualTo(3);
    }

}
