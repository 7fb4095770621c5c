package dev.keepwarm.fake;

import static dev.keepwarm.fake.TestClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** POST /api/embed and /api/embeddings: vectors, load-only requests, and their errors. */
class EmbedTest {

    private FakeOllama ollama;

    private TestClient client;

    @BeforeEach
    void start() {
        ollama = FakeOllama.start()
            .withModel(ModelSpec.embeddingModel("nomic-embed-text").withLoadTime(Duration.ofMillis(20)));
        client = new TestClient(ollama);
    }

    @AfterEach
    void stop() {
        ollama.close();
    }

    @Test
    void embedReturnsOneVectorPerInput() {
        JsonNode body = TestClient
            .json(client.post("/api/embed", "{\"model\":\"nomic-embed-text\",\"input\":[\"a\",\"b\"]}"));

        assertThat(body.path("model").stringValue()).isEqualTo("nomic-embed-text");
        assertThat(body.path("embeddings")).hasSize(2);
        assertThat(body.path("embeddings").get(0).get(0).isNumber()).isTrue();
        assertThat(body.has("total_duration")).isTrue();
        assertThat(body.has("load_duration")).isTrue();
        assertThat(body.has("prompt_eval_count")).isTrue();
    }

    @Test
    void embedWithoutInputOnlyLoadsTheModel() {
        HttpResponse<String> response = client.post("/api/embed", "{\"model\":\"nomic-embed-text\",\"keep_alive\":-1}");

        assertThat(response.body()).isEqualTo("{\"model\":\"nomic-embed-text\",\"embeddings\":[]}");
        assertThat(ollama.loaded()).singleElement().satisfies(m -> assertThat(m.forever()).isTrue());
    }

    @Test
    void embedRefusesInputOfOtherTypes() {
        assertError(client.post("/api/embed", "{\"model\":\"nomic-embed-text\",\"input\":[1]}"), 400,
                "invalid input type");
    }

    @Test
    void legacyEmbeddingsAnswersOneVector() {
        JsonNode body = TestClient
            .json(client.post("/api/embeddings", "{\"model\":\"nomic-embed-text\",\"prompt\":\"a\"}"));
        HttpResponse<String> ping = client.post("/api/embeddings", "{\"model\":\"nomic-embed-text\"}");
        HttpResponse<String> unknown = client.post("/api/embeddings", "{\"model\":\"nope\",\"prompt\":\"a\"}");

        assertThat(body.path("embedding").size()).isPositive();
        assertThat(ping.body()).isEqualTo("{\"embedding\":[]}");
        assertError(unknown, 404, "model \"nope\" not found, try pulling it first");
    }

}
