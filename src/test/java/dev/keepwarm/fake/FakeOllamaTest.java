package dev.keepwarm.fake;

import static dev.keepwarm.fake.TestClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The routes, the request checks and the response shapes of the fake, against what Ollama
 * answers.
 */
class FakeOllamaTest {

    private FakeOllama ollama;

    private TestClient client;

    @BeforeEach
    void start() {
        ollama = FakeOllama.start()
            .withModel(ModelSpec.of("llama3.2").withLoadTime(Duration.ofMillis(20)))
            .withModel(ModelSpec.embeddingModel("nomic-embed-text").withLoadTime(Duration.ofMillis(20)));
        client = new TestClient(ollama);
    }

    @AfterEach
    void stop() {
        ollama.close();
    }

    @Test
    void rootSaysOllamaIsRunning() {
        HttpResponse<String> get = client.get("/");
        HttpResponse<String> head = client.head("/");

        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("Ollama is running");
        assertThat(get.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void versionIsReported() {
        assertThat(TestClient.json(client.get("/api/version")).path("version").stringValue()).isEqualTo("0.33.0");
    }

    @Test
    void versionCanBeSetPerFakeAsAFleetsHostsDiffer() {
        try (FakeOllama older = FakeOllama.start().version("0.32.4-rc1")) {
            TestClient olderClient = new TestClient(older);
            assertThat(TestClient.json(olderClient.get("/api/version")).path("version").stringValue())
                .isEqualTo("0.32.4-rc1");
        }
        assertThat(TestClient.json(client.get("/api/version")).path("version").stringValue()).isEqualTo("0.33.0");
    }

    @Test
    void tagsListKnownModelsWithDetails() {
        JsonNode models = TestClient.json(client.get("/api/tags")).path("models");

        assertThat(models).hasSize(2);
        JsonNode first = models.get(0);
        assertThat(first.path("name").stringValue()).isEqualTo("llama3.2:latest");
        assertThat(first.path("model").stringValue()).isEqualTo("llama3.2:latest");
        assertThat(first.path("size").longValue()).isEqualTo(ModelSpec.DEFAULT_SIZE_BYTES);
        assertThat(first.path("digest").stringValue()).matches("[0-9a-f]{64}");
        assertThat(first.path("modified_at").stringValue()).isNotEmpty();
        assertThat(first.path("details").path("format").stringValue()).isEqualTo("gguf");
        assertThat(first.path("details").has("family")).isTrue();
        assertThat(first.path("details").has("parameter_size")).isTrue();
        assertThat(first.path("details").has("quantization_level")).isTrue();
    }

    @Test
    void showReportsCapabilitiesAndRefusesUnknownModels() {
        JsonNode llama = TestClient.json(client.post("/api/show", "{\"model\":\"llama3.2\"}"));
        JsonNode nomic = TestClient.json(client.post("/api/show", "{\"model\":\"nomic-embed-text\"}"));
        HttpResponse<String> unknown = client.post("/api/show", "{\"model\":\"nope\"}");

        assertThat(llama.path("capabilities").toString()).isEqualTo("[\"completion\"]");
        assertThat(nomic.path("capabilities").toString()).isEqualTo("[\"embedding\"]");
        assertThat(llama.path("details").path("format").stringValue()).isEqualTo("gguf");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("{\"error\":\"model 'nope' not found\"}");
    }

    @Test
    void unknownPathGetsGinsPlainNotFound() {
        HttpResponse<String> response = client.get("/api/nothing");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("404 page not found");
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain");
    }

    @Test
    void emptyBodyIsRejectedAsMissing() {
        assertError(client.post("/api/generate", ""), 400, "missing request body");
        assertError(client.post("/api/chat", "  \n"), 400, "missing request body");
    }

    @Test
    void malformedJsonIsRejectedWithGosMessage() {
        assertError(client.post("/api/generate", "{\"model\": x}"), 400,
                "invalid character 'x' looking for beginning of value");
        assertError(client.post("/api/generate", "{\"model\":"), 400, "unexpected EOF");
    }

    @Test
    void fieldOfWrongTypeIsRejectedLikeGo() {
        assertError(client.post("/api/generate", "{\"model\":5}"), 400,
                "json: cannot unmarshal number into Go struct field GenerateRequest.model of type string");
        assertError(client.post("/api/chat", "{\"model\":\"llama3.2\",\"messages\":[\"hi\"]}"), 400,
                "json: cannot unmarshal string into Go struct field ChatRequest.messages of type api.Message");
        assertError(client.post("/api/chat", "{\"model\":\"llama3.2\",\"stream\":\"yes\"}"), 400,
                "json: cannot unmarshal string into Go struct field ChatRequest.stream of type bool");
    }

    @Test
    void missingModelIsRequired() {
        assertError(client.post("/api/generate", "{\"prompt\":\"hi\"}"), 400, "model is required");
        assertError(client.post("/api/embed", "{}"), 400, "model is required");
    }

    @Test
    void unknownModelIsNotFound() {
        assertError(client.post("/api/generate", "{\"model\":\"nope\"}"), 404, "model 'nope' not found");
        assertError(client.post("/api/chat", "{\"model\":\"nope\"}"), 404, "model 'nope' not found");
        assertError(client.post("/api/embed", "{\"model\":\"nope\"}"), 404, "model 'nope' not found");
    }

    @Test
    void numericStringKeepAliveIsRejectedLikeOllama() {
        assertError(client.post("/api/generate", "{\"model\":\"llama3.2\",\"keep_alive\":\"-1\"}"), 400,
                "time: missing unit in duration \"-1\"");
        assertError(client.post("/api/chat", "{\"model\":\"llama3.2\",\"keep_alive\":\"300\"}"), 400,
                "time: missing unit in duration \"300\"");
        assertThat(ollama.loaded()).isEmpty();
    }

    @Test
    void unparsableKeepAliveIsRejectedLikeOllama() {
        assertError(client.post("/api/embed", "{\"model\":\"llama3.2\",\"keep_alive\":\"abc\"}"), 400,
                "time: invalid duration \"abc\"");
        assertError(client.post("/api/generate", "{\"model\":\"llama3.2\",\"keep_alive\":true}"), 400,
                "Unsupported type: 'bool'");
    }

    @Test
    void embeddingOnlyModelRefusesGenerateAndChat() {
        assertError(client.post("/api/generate", "{\"model\":\"nomic-embed-text\",\"prompt\":\"hi\"}"), 400,
                "\"nomic-embed-text\" does not support generate");
        assertError(client.post("/api/chat", "{\"model\":\"nomic-embed-text\"}"), 400,
                "\"nomic-embed-text\" does not support chat");
    }

    @Test
    void modelNamesMatchCaseInsensitivelyWithLatestTag() {
        assertThat(client.post("/api/generate", "{\"model\":\"LLAMA3.2:latest\"}").statusCode()).isEqualTo(200);
        assertThat(client.post("/api/generate", "{\"model\":\"library/llama3.2\"}").statusCode()).isEqualTo(200);
        assertThat(ollama.loadCount("llama3.2:latest")).isEqualTo(1);
    }

    @Test
    void loadPingReturnsSingleJsonObjectEvenWhenStreaming() {
        HttpResponse<String> generate = client.post("/api/generate", "{\"model\":\"llama3.2\",\"stream\":true}");
        HttpResponse<String> chat = client.post("/api/chat", "{\"model\":\"llama3.2\",\"messages\":[]}");

        assertThat(generate.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        JsonNode ping = TestClient.json(generate);
        assertThat(ping.path("model").stringValue()).isEqualTo("llama3.2");
        assertThat(ping.path("created_at").stringValue()).endsWith("Z");
        assertThat(ping.path("response").stringValue()).isEmpty();
        assertThat(ping.path("done").booleanValue()).isTrue();
        assertThat(ping.path("done_reason").stringValue()).isEqualTo("load");
        assertThat(ping.has("total_duration")).isFalse();
        assertThat(ping.has("load_duration")).isFalse();
        JsonNode chatPing = TestClient.json(chat);
        assertThat(chatPing.path("message").toString()).isEqualTo("{\"role\":\"assistant\",\"content\":\"\"}");
        assertThat(chatPing.path("done_reason").stringValue()).isEqualTo("load");
        assertThat(ollama.loaded()).extracting(LoadedModel::name).containsExactly("llama3.2:latest");
    }

    @Test
    void generateStreamsNdjsonEndingWithTimings() {
        HttpResponse<String> response = client.post("/api/generate", "{\"model\":\"llama3.2\",\"prompt\":\"hi\"}");

        assertThat(response.headers().firstValue("content-type")).hasValue("application/x-ndjson");
        List<JsonNode> lines = response.body().lines().map(TestClient::json).toList();
        assertThat(lines).hasSize(6);
        assertThat(lines.subList(0, 5)).allSatisfy(chunk -> {
            assertThat(chunk.path("done").booleanValue()).isFalse();
            assertThat(chunk.path("response").isString()).isTrue();
        });
        JsonNode last = lines.get(5);
        assertThat(last.path("done").booleanValue()).isTrue();
        assertThat(last.path("done_reason").stringValue()).isEqualTo("stop");
        assertThat(last.path("context").isArray()).isTrue();
        assertThat(last.path("eval_count").intValue()).isEqualTo(5);
        for (String field : List.of("total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration",
                "eval_duration")) {
            assertThat(last.path(field).isIntegralNumber()).as(field).isTrue();
        }
    }

    @Test
    void chatStreamsAssistantMessageChunks() {
        HttpResponse<String> response = client.post("/api/chat",
                "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        List<JsonNode> lines = response.body().lines().map(TestClient::json).toList();
        assertThat(lines.get(0).path("message").path("role").stringValue()).isEqualTo("assistant");
        assertThat(lines.get(0).path("message").path("content").stringValue()).isEqualTo("The");
        assertThat(lines.get(lines.size() - 1).path("done_reason").stringValue()).isEqualTo("stop");
        assertThat(lines.get(lines.size() - 1).has("context")).isFalse();
    }

    @Test
    void streamFalseAnswersOneObjectWithWholeText() {
        ollama.tokens(3, Duration.ZERO);
        HttpResponse<String> response = client.post("/api/generate",
                "{\"model\":\"llama3.2\",\"prompt\":\"hi\",\"stream\":false}");

        assertThat(response.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        JsonNode body = TestClient.json(response);
        assertThat(body.path("response").stringValue()).isEqualTo("The quick brown");
        assertThat(body.path("done_reason").stringValue()).isEqualTo("stop");
        assertThat(body.path("eval_count").intValue()).isEqualTo(3);
        assertThat(body.path("load_duration").longValue()).isPositive();
    }

    @Test
    void receivedRecordsEveryRequestWithExactBytesAndHeaders() {
        String body = "{\"model\":\"llama3.2\",  \"keep_alive\":-1}";
        client.post("/api/generate?x=1", body);
        client.post("/api/generate", "{\"model\":\"nope\"}");
        client.get("/api/ps");

        assertThat(ollama.received()).extracting(Received::path)
            .containsExactly("/api/generate", "/api/generate", "/api/ps");
        Received first = ollama.received("/api/generate").get(0);
        assertThat(first.method()).isEqualTo("POST");
        assertThat(first.query()).isEqualTo("x=1");
        assertThat(first.bodyText()).isEqualTo(body);
        assertThat(first.json().path("keep_alive").intValue()).isEqualTo(-1);
        assertThat(first.header("Content-Type")).isEqualTo("application/json");
        assertThat(first.headers()).containsKey("host");
        assertThat(ollama.lastReceived("/api/generate")).get()
            .satisfies(r -> assertThat(r.bodyText()).isEqualTo("{\"model\":\"nope\"}"));
        assertThat(ollama.lastReceived("/api/chat")).isEmpty();
    }

}
