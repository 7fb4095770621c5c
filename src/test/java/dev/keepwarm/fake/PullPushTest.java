package dev.keepwarm.fake;

import static dev.keepwarm.fake.TestClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * POST /api/pull and /api/push against Ollama's PullModel and PushModel
 * (server/images.go): progress lines, the registry, and failures before and after
 * streaming began.
 */
class PullPushTest {

    private FakeOllama ollama;

    private TestClient client;

    @BeforeEach
    void start() {
        ollama = FakeOllama.start()
            .modelManagement(true)
            .withModel(ModelSpec.of("llama3.2").withLoadTime(Duration.ofMillis(20)));
        ollama.registry().add(ModelSpec.of("qwen3:4b").withSizeBytes(2_500_000_000L));
        client = new TestClient(ollama);
    }

    @AfterEach
    void stop() {
        ollama.close();
    }

    @Test
    void pullStreamsProgressPerLayerAndEndsWithSuccess() {
        HttpResponse<String> response = client.post("/api/pull", "{\"model\":\"qwen3:4b\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/x-ndjson");
        List<JsonNode> lines = lines(response);
        assertThat(lines.get(0).toString()).isEqualTo("{\"status\":\"pulling manifest\"}");
        List<JsonNode> layers = lines.subList(1, lines.size() - 3);
        assertThat(layers).hasSize(10).allSatisfy(line -> {
            assertThat(line.path("status").stringValue()).matches("pulling [0-9a-f]{12}");
            assertThat(line.path("digest").stringValue()).matches("sha256:[0-9a-f]{64}")
                .contains(line.path("status").stringValue().substring(8));
            assertThat(line.path("total").longValue()).isPositive();
        });
        assertThat(layers.get(0).has("completed")).as("Go omits a zero completed").isFalse();
        assertThat(layers.get(1).path("completed").longValue()).isEqualTo(2_500_000_000L)
            .isEqualTo(layers.get(1).path("total").longValue());
        assertThat(lines.subList(lines.size() - 3, lines.size())).extracting(JsonNode::toString)
            .containsExactly("{\"status\":\"verifying sha256 digest\"}", "{\"status\":\"writing manifest\"}",
                    "{\"status\":\"success\"}");
    }

    @Test
    void pulledModelIsListedByTagsAndCanBeLoaded() {
        client.post("/api/pull", "{\"model\":\"qwen3:4b\"}");

        assertThat(ollama.models()).containsExactly("llama3.2:latest", "qwen3:4b");
        assertThat(TestClient.json(client.get("/api/tags")).path("models").get(1).path("size").longValue())
            .isEqualTo(2_500_000_000L);
        assertThat(client.post("/api/generate", "{\"model\":\"qwen3:4b\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void pullWithoutStreamingAnswersOneSuccessObject() {
        HttpResponse<String> response = client.post("/api/pull", "{\"name\":\"qwen3:4b\",\"stream\":false}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("{\"status\":\"success\"}");
        assertThat(ollama.models()).contains("qwen3:4b");
    }

    @Test
    void pullOfAModelTheRegistryLacksFailsAfterTheManifestLine() {
        HttpResponse<String> response = client.post("/api/pull", "{\"model\":\"nope\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(
                "{\"status\":\"pulling manifest\"}\n" + "{\"error\":\"pull model manifest: file does not exist\"}\n");
        assertThat(ollama.models()).containsExactly("llama3.2:latest");
    }

    @Test
    void pullOfAModelTheRegistryLacksWithoutStreamingIs500() {
        HttpResponse<String> response = client.post("/api/pull", "{\"model\":\"nope\",\"stream\":false}");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("{\"error\":\"pull model manifest: file does not exist\"}");
    }

    @Test
    void pullRefusesAMissingOrInvalidName() {
        assertError(client.post("/api/pull", "{}"), 400, "invalid model name");
        assertError(client.post("/api/pull", "{\"model\":\"bad name!\"}"), 400, "invalid model name");
        assertError(client.post("/api/pull", ""), 400, "missing request body");
    }

    @Test
    void secondPullFindsItsLayersCachedAndReportsEachOnce() {
        client.post("/api/pull", "{\"model\":\"qwen3:4b\"}");

        List<JsonNode> again = lines(client.post("/api/pull", "{\"model\":\"qwen3:4b\"}"));

        List<JsonNode> layers = again.subList(1, again.size() - 3);
        assertThat(layers).hasSize(5)
            .allSatisfy(
                    line -> assertThat(line.path("completed").longValue()).isEqualTo(line.path("total").longValue()));
        assertThat(ollama.blobs()).hasSize(5).allSatisfy(digest -> assertThat(digest).startsWith("sha256:"));
    }

    @Test
    void pullTimeSpreadsTheLinesOverThePull() {
        ollama.registry().pullTime(Duration.ofMillis(700));

        List<TestClient.TimedLine> lines = client.postStreaming("/api/pull", "{\"model\":\"qwen3:4b\"}");

        Duration spread = Duration.ofNanos(lines.get(lines.size() - 1).arrivedNanos() - lines.get(0).arrivedNanos());
        assertThat(spread).isGreaterThan(Duration.ofMillis(500));
        assertThat(lines.get(lines.size() - 1).text()).isEqualTo("{\"status\":\"success\"}");
    }

    @Test
    void armedStreamErrorEndsThePullMidStreamAndNothingIsWritten() {
        ollama.errorMidStreamNext("/api/pull", 3, "max retries exceeded: connection reset by peer");

        HttpResponse<String> failed = client.post("/api/pull", "{\"model\":\"qwen3:4b\"}");
        HttpResponse<String> next = client.post("/api/pull", "{\"model\":\"qwen3:4b\",\"stream\":false}");

        assertThat(failed.statusCode()).isEqualTo(200);
        List<JsonNode> lines = lines(failed);
        assertThat(lines).hasSize(4);
        assertThat(lines.get(3).toString()).isEqualTo("{\"error\":\"max retries exceeded: connection reset by peer\"}");
        assertThat(next.body()).as("the fault is used up").isEqualTo("{\"status\":\"success\"}");
        assertThat(ollama.received("POST", "/api/pull")).hasSize(2);
    }

    @Test
    void armedStreamErrorWithoutStreamingIs500() {
        ollama.errorMidStreamNext("/api/pull", 3, "max retries exceeded");

        HttpResponse<String> response = client.post("/api/pull", "{\"model\":\"qwen3:4b\",\"stream\":false}");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEqualTo("{\"error\":\"max retries exceeded\"}");
        assertThat(ollama.models()).doesNotContain("qwen3:4b");
    }

    @Test
    void pullCutOffMidStreamLeavesTheModelUnpulled() {
        ollama.dieMidStreamNext("/api/pull", 2);

        assertThatThrownBy(() -> client.postOrFail("/api/pull", "{\"model\":\"qwen3:4b\"}"))
            .isInstanceOf(IOException.class);
        assertThat(ollama.models()).doesNotContain("qwen3:4b");
    }

    @Test
    void fleetOfFakesCanHaveOneHostFailItsPullWhileAnotherIsSlowAndSucceeds() {
        try (FakeOllama failing = FakeOllama.start().modelManagement(true);
                FakeOllama slow = FakeOllama.start().modelManagement(true)) {
            failing.registry().add("qwen3:4b");
            failing.errorMidStreamNext("/api/pull", 2, "max retries exceeded: unexpected EOF");
            slow.registry().add("qwen3:4b").pullTime(Duration.ofMillis(300));

            var fromSlow = new TestClient(slow).postAsync("/api/pull", "{\"model\":\"qwen3:4b\"}");
            HttpResponse<String> fromFailing = new TestClient(failing).post("/api/pull", "{\"model\":\"qwen3:4b\"}");

            assertThat(lines(fromFailing)).hasSize(3)
                .last()
                .hasToString("{\"error\":\"max retries exceeded: unexpected EOF\"}");
            assertThat(fromSlow.join().body()).endsWith("{\"status\":\"success\"}\n");
            assertThat(failing.models()).isEmpty();
            assertThat(slow.models()).containsExactly("qwen3:4b");
        }
    }

    @Test
    void pushStreamsEachLayerThenTheManifestAndTheRegistryOffersTheModel() {
        List<JsonNode> lines = lines(client.post("/api/push", "{\"model\":\"llama3.2\"}"));

        assertThat(lines.get(0).toString()).isEqualTo("{\"status\":\"retrieving manifest\"}");
        assertThat(lines.subList(1, lines.size() - 2)).hasSize(10)
            .allSatisfy(line -> assertThat(line.path("status").stringValue()).matches("pushing [0-9a-f]{12}"));
        assertThat(lines.subList(lines.size() - 2, lines.size())).extracting(JsonNode::toString)
            .containsExactly("{\"status\":\"pushing manifest\"}", "{\"status\":\"success\"}");
        assertThat(ollama.registry().has("llama3.2:latest")).isTrue();
    }

    @Test
    void pushOfAModelTheFakeLacksEndsWithTheManifestOpenError() {
        HttpResponse<String> streamed = client.post("/api/push", "{\"model\":\"nope\"}");
        HttpResponse<String> single = client.post("/api/push", "{\"model\":\"nope\",\"stream\":false}");

        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).isEqualTo("{\"status\":\"retrieving manifest\"}\n"
                + "{\"status\":\"couldn't retrieve manifest\"}\n{\"error\":\"open /root/.ollama/models/manifests/"
                + "registry.ollama.ai/library/nope/latest: no such file or directory\"}\n");
        assertThat(single.statusCode()).isEqualTo(500);
        assertThat(ollama.registry().has("nope")).isFalse();
    }

    @Test
    void pushRequiresAModel() {
        assertError(client.post("/api/push", "{}"), 400, "model is required");
    }

    static List<JsonNode> lines(HttpResponse<String> response) {
        return response.body().lines().map(TestClient::json).toList();
    }

}
