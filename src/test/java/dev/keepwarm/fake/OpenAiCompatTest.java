package dev.keepwarm.fake;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The OpenAI-compatible routes, which drop keep_alive and options (OLLAMA-API.md). */
class OpenAiCompatTest {

    private static final String CHAT = "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]%s}";

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
    void chatCompletionAnswersOneObject() {
        JsonNode completion = TestClient.json(client.post("/v1/chat/completions", CHAT.formatted("")));

        assertThat(completion.path("object").stringValue()).isEqualTo("chat.completion");
        assertThat(completion.path("id").stringValue()).startsWith("chatcmpl-");
        assertThat(completion.path("model").stringValue()).isEqualTo("llama3.2");
        JsonNode choice = completion.path("choices").get(0);
        assertThat(choice.path("message").path("role").stringValue()).isEqualTo("assistant");
        assertThat(choice.path("message").path("content").stringValue()).isEqualTo("The quick brown fox jumps");
        assertThat(choice.path("finish_reason").stringValue()).isEqualTo("stop");
        assertThat(completion.path("usage").path("completion_tokens").intValue()).isEqualTo(5);
    }

    @Test
    void streamedChatCompletionSendsServerSentEventsEndingWithDone() {
        HttpResponse<String> response = client.post("/v1/chat/completions",
                CHAT.formatted(",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));

        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
        List<JsonNode> events = response.body()
            .lines()
            .filter(line -> line.startsWith("data: {"))
            .map(line -> TestClient.json(line.substring(6)))
            .toList();
        assertThat(events).hasSize(7);
        assertThat(events.get(0).path("object").stringValue()).isEqualTo("chat.completion.chunk");
        assertThat(events.get(0).path("choices").get(0).path("delta").path("content").stringValue()).isEqualTo("The");
        assertThat(events.get(0).path("choices").get(0).path("finish_reason").isNull()).isTrue();
        assertThat(events.get(5).path("choices").get(0).path("finish_reason").stringValue()).isEqualTo("stop");
        assertThat(events.get(6).path("usage").path("total_tokens").intValue()).isPositive();
    }

    @Test
    void keepAliveInTheBodyIsIgnoredOnLoad() {
        client.post("/v1/chat/completions", CHAT.formatted(",\"keep_alive\":-1"));

        assertThat(ollama.loaded()).singleElement()
            .satisfies(m -> assertThat(m.keepAlive()).isEqualTo(Duration.ofMinutes(5)));
    }

    @Test
    void residentModelKeepsItsPin() {
        client.post("/api/generate", "{\"model\":\"llama3.2\",\"keep_alive\":-1}");

        client.post("/v1/chat/completions", CHAT.formatted(",\"keep_alive\":\"1m\""));

        assertThat(ollama.loaded()).singleElement().satisfies(m -> assertThat(m.forever()).isTrue());
        assertThat(ollama.loadCount("llama3.2")).isEqualTo(1);
    }

    @Test
    void modelPinnedWithOtherContextIsReloadedAtDefaultAndLosesItsPin() {
        client.post("/api/generate", "{\"model\":\"llama3.2\",\"keep_alive\":-1,\"options\":{\"num_ctx\":8192}}");

        client.post("/v1/chat/completions", CHAT.formatted(",\"options\":{\"num_ctx\":8192}"));

        assertThat(ollama.loadCount("llama3.2")).isEqualTo(2);
        assertThat(ollama.loaded()).singleElement().satisfies(m -> {
            assertThat(m.contextLength()).isEqualTo(4096);
            assertThat(m.keepAlive()).isEqualTo(Duration.ofMinutes(5));
        });
    }

    @Test
    void errorsComeInOpenAiShape() {
        assertOpenAiError(client.post("/v1/chat/completions", "{\"model\":\"nope\",\"messages\":[{}]}"), 404,
                "model 'nope' not found", "not_found_error");
        assertOpenAiError(client.post("/v1/chat/completions", "{\"model\":\"llama3.2\",\"messages\":[]}"), 400,
                "[] is too short - 'messages'", "invalid_request_error");
        assertOpenAiError(client.post("/v1/chat/completions", "{\"model\":\"nomic-embed-text\",\"messages\":[{}]}"),
                400, "\"nomic-embed-text\" does not support chat", "invalid_request_error");
        assertOpenAiError(client.post("/v1/chat/completions", ""), 400, "EOF", "invalid_request_error");
    }

    @Test
    void modelsAreListed() {
        JsonNode list = TestClient.json(client.get("/v1/models"));
        JsonNode one = TestClient.json(client.get("/v1/models/llama3.2"));

        assertThat(list.path("object").stringValue()).isEqualTo("list");
        assertThat(list.path("data")).hasSize(2);
        assertThat(list.path("data").get(0).path("id").stringValue()).isEqualTo("llama3.2:latest");
        assertThat(list.path("data").get(0).path("object").stringValue()).isEqualTo("model");
        assertThat(one.path("owned_by").stringValue()).isEqualTo("library");
        assertThat(client.get("/v1/models/nope").statusCode()).isEqualTo(404);
    }

    private static void assertOpenAiError(HttpResponse<String> response, int status, String message, String type) {
        assertThat(response.statusCode()).isEqualTo(status);
        JsonNode error = TestClient.json(response).path("error");
        assertThat(error.path("message").stringValue()).isEqualTo(message);
        assertThat(error.path("type").stringValue()).isEqualTo(type);
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
    }

}
