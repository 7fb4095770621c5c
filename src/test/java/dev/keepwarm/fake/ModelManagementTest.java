package dev.keepwarm.fake;

import static dev.keepwarm.fake.TestClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DELETE /api/delete, POST /api/copy and POST /api/create against Ollama's handlers
 * (server/routes.go, server/create.go).
 */
class ModelManagementTest {

    private static final String BLOB = "sha256:" + "ab".repeat(32);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private FakeOllama ollama;

    private TestClient client;

    @BeforeEach
    void start() {
        ollama = FakeOllama.start()
            .modelManagement(true)
            .withModel(ModelSpec.of("llama3.2").withLoadTime(Duration.ofMillis(20)))
            .withModel(ModelSpec.embeddingModel("nomic-embed-text"));
        client = new TestClient(ollama);
    }

    @AfterEach
    void stop() {
        ollama.close();
    }

    @Test
    void deleteRemovesTheModelWithAnEmpty200() {
        HttpResponse<String> response = delete("{\"model\":\"llama3.2\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(ollama.models()).containsExactly("nomic-embed-text:latest");
        assertThat(TestClient.json(client.get("/api/tags")).path("models")).hasSize(1);
    }

    @Test
    void deleteOfAMissingModelIs404() {
        assertError(delete("{\"model\":\"nope\"}"), 404, "model 'nope' not found");
        assertError(delete("{\"name\":\"nope:7b\"}"), 404, "model 'nope:7b' not found");
    }

    @Test
    void deleteRefusesAMissingOrInvalidName() {
        assertError(delete("{}"), 400, "model is required");
        assertError(delete("{\"model\":\"bad name\"}"), 400, "name \"bad name\" is invalid");
    }

    @Test
    void deleteLeavesAResidentModelLoadedButNoLongerServed() {
        client.ping("{\"model\":\"llama3.2\"}");

        delete("{\"model\":\"llama3.2:latest\"}");

        assertThat(ollama.loaded()).extracting(LoadedModel::name).containsExactly("llama3.2:latest");
        assertError(client.post("/api/generate", "{\"model\":\"llama3.2\"}"), 404, "model 'llama3.2' not found");
    }

    @Test
    void copyAddsTheDestinationWithAnEmpty200() {
        HttpResponse<String> response = client.post("/api/copy",
                "{\"source\":\"llama3.2\",\"destination\":\"my-llama:v1\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(ollama.models()).containsExactly("llama3.2:latest", "nomic-embed-text:latest", "my-llama:v1");
        assertThat(client.post("/api/generate", "{\"model\":\"my-llama:v1\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void copyOfAMissingSourceIs404WithTheNameQuoted() {
        assertError(client.post("/api/copy", "{\"source\":\"nope\",\"destination\":\"other\"}"), 404,
                "model \"nope\" not found");
        assertThat(ollama.models()).hasSize(2);
    }

    @Test
    void copyRefusesInvalidNames() {
        assertError(client.post("/api/copy", "{\"destination\":\"other\"}"), 400, "source \"\" is invalid");
        assertError(client.post("/api/copy", "{\"source\":\"llama3.2\",\"destination\":\"a b\"}"), 400,
                "destination \"a b\" is invalid");
    }

    @Test
    void createFromAModelStreamsItsLayersAndAddsACopyOfIt() {
        HttpResponse<String> response = client.post("/api/create",
                "{\"model\":\"terse\",\"from\":\"nomic-embed-text\",\"system\":\"Be terse.\"}");

        assertThat(response.headers().firstValue("content-type")).hasValue("application/x-ndjson");
        List<String> statuses = statuses(response);
        assertThat(statuses).hasSize(7);
        assertThat(statuses.subList(0, 4))
            .allSatisfy(s -> assertThat(s).matches("using existing layer sha256:\\w{64}"));
        assertThat(statuses.get(4)).as("the system prompt's layer").matches("creating new layer sha256:\\w{64}");
        assertThat(statuses.subList(5, 7)).containsExactly("writing manifest", "success");
        assertThat(ollama.models()).contains("terse:latest");
        assertThat(TestClient.json(client.post("/api/show", "{\"model\":\"terse\"}")).path("capabilities").toString())
            .isEqualTo("[\"embedding\"]");
    }

    @Test
    void createWithoutStreamingAnswersOneSuccessObject() {
        HttpResponse<String> response = client.post("/api/create",
                "{\"model\":\"mine\",\"from\":\"llama3.2\",\"stream\":false}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"status\":\"success\"}");
        assertThat(ollama.models()).contains("mine:latest");
    }

    @Test
    void createFromAModelTheFakeLacksPullsItFirst() {
        ollama.registry().add("gemma3:1b");

        List<String> statuses = statuses(client.post("/api/create", "{\"model\":\"mine\",\"from\":\"gemma3:1b\"}"));

        int pulled = statuses.indexOf("success");
        assertThat(statuses.subList(0, pulled + 1)).startsWith("pulling manifest")
            .endsWith("verifying sha256 digest", "writing manifest", "success");
        assertThat(statuses.subList(pulled + 1, statuses.size())).hasSize(7)
            .endsWith("writing manifest", "success")
            .first()
            .asString()
            .startsWith("using existing layer sha256:");
        assertThat(ollama.models()).contains("gemma3:1b", "mine:latest");
    }

    @Test
    void createFromAModelNeitherHeldNorOfferedFailsLikeItsPull() {
        HttpResponse<String> response = client.post("/api/create", "{\"model\":\"mine\",\"from\":\"nope\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(
                "{\"status\":\"pulling manifest\"}\n" + "{\"error\":\"pull model manifest: file does not exist\"}\n");
        assertThat(ollama.models()).doesNotContain("mine:latest");
    }

    @Test
    void createFromFilesUsesHeldBlobs() {
        ollama.withBlob(BLOB, 1_000_000);

        List<String> statuses = statuses(
                client.post("/api/create", "{\"model\":\"mine\",\"files\":{\"model.gguf\":\"" + BLOB + "\"}}"));

        assertThat(statuses).containsExactly("parsing GGUF", "using existing layer " + BLOB, "writing manifest",
                "success");
        assertThat(TestClient.json(client.get("/api/tags")).path("models").get(2).path("size").longValue())
            .isEqualTo(1_000_000);
    }

    @Test
    void createFromFilesWithoutTheBlobEndsWithOpenError() {
        HttpResponse<String> response = client.post("/api/create",
                "{\"model\":\"mine\",\"files\":{\"model.gguf\":\"" + BLOB + "\"}}");

        assertThat(response.body()).isEqualTo("{\"status\":\"parsing GGUF\"}\n{\"error\":\"open "
                + "/root/.ollama/models/blobs/sha256-" + "ab".repeat(32) + ": no such file or directory\"}\n");
        assertThat(ollama.models()).doesNotContain("mine:latest");
    }

    @Test
    void createRefusesBadRequestsBeforeStreaming() {
        HttpResponse<String> neither = client.post("/api/create", "{\"model\":\"mine\"}");

        assertThat(neither.statusCode()).isEqualTo(400);
        assertThat(neither.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(neither.body()).isEqualTo("{\"error\":\"neither 'from' or 'files' was specified\"}");
        assertError(client.post("/api/create", "{\"from\":\"llama3.2\"}"), 400, "invalid model name");
        assertError(client.post("/api/create", "{\"model\":\"m\",\"files\":{\"/etc/x.gguf\":\"" + BLOB + "\"}}"), 400,
                "file path must be relative");
        assertError(client.post("/api/create", "{\"model\":\"m\",\"files\":{\"x.gguf\":\"\"}}"), 400,
                "invalid digest format");
    }

    @Test
    void everyManagementRouteIsJournaled() {
        delete("{\"model\":\"nope\"}");
        client.post("/api/copy", "{\"source\":\"llama3.2\",\"destination\":\"b\"}");
        client.post("/api/create", "{\"model\":\"c\",\"from\":\"llama3.2\"}");

        assertThat(ollama.received("DELETE", "/api/delete")).singleElement()
            .satisfies(r -> assertThat(r.bodyText()).isEqualTo("{\"model\":\"nope\"}"));
        assertThat(ollama.received("/api/copy")).hasSize(1);
        assertThat(ollama.received("POST", "/api/create")).hasSize(1);
    }

    private static List<String> statuses(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body().lines().map(TestClient::json).map(line -> {
            assertThat(line.has("error")).as(line.toString()).isFalse();
            return line.path("status").stringValue();
        }).toList();
    }

    private HttpResponse<String> delete(String body) {
        HttpRequest request = HttpRequest.newBuilder(ollama.url().resolve("/api/delete"))
            .method("DELETE", HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(10))
            .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
