package dev.keepwarm.fake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;

/** A plain JDK HTTP/1.1 client for the fake's tests. */
final class TestClient {

    /** One streamed line and when it arrived (System.nanoTime()). */
    record TimedLine(String text, long arrivedNanos) {
    }

    private final HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();

    private final URI base;

    TestClient(FakeOllama ollama) {
        this.base = ollama.url();
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    HttpResponse<String> head(String path) {
        return send(request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    }

    HttpResponse<String> post(String path, String body) {
        return send(post(path, body, HttpRequest.BodyPublishers.ofString(body)));
    }

    CompletableFuture<HttpResponse<String>> postAsync(String path, String body) {
        return http.sendAsync(post(path, body, HttpRequest.BodyPublishers.ofString(body)),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Posts and reads the answer line by line, noting when each line arrived. */
    List<TimedLine> postStreaming(String path, String body) {
        try {
            HttpResponse<java.util.stream.Stream<String>> response = http
                .send(post(path, body, HttpRequest.BodyPublishers.ofString(body)), HttpResponse.BodyHandlers.ofLines());
            return response.body().map(line -> new TimedLine(line, System.nanoTime())).toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends and returns the raw outcome, letting the IOException of a broken connection
     * through.
     */
    HttpResponse<String> postOrFail(String path, String body) throws IOException, InterruptedException {
        return http.send(post(path, body, HttpRequest.BodyPublishers.ofString(body)),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Posts to /api/generate and expects 200, e.g. for a load-only ping. */
    HttpResponse<String> ping(String body) {
        HttpResponse<String> response = post("/api/generate", body);
        if (response.statusCode() != 200) {
            throw new AssertionError("ping " + body + " answered " + response.statusCode() + " " + response.body());
        }
        return response;
    }

    /** The load_duration of a non-streamed answer, in milliseconds. */
    static long loadMillis(HttpResponse<String> response) {
        return Duration.ofNanos(json(response).path("load_duration").longValue()).toMillis();
    }

    /** Asserts an answer in Ollama's native error shape. */
    static void assertError(HttpResponse<String> response, int status, String message) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        assertThat(json(response).path("error").stringValue()).isEqualTo(message);
    }

    static JsonNode json(HttpResponse<String> response) {
        return Json.MAPPER.readTree(response.body());
    }

    static JsonNode json(String text) {
        return Json.MAPPER.readTree(text);
    }

    private HttpRequest post(String path, String body, HttpRequest.BodyPublisher publisher) {
        return request(path).header("Content-Type", "application/json").POST(publisher).build();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    }

    private HttpResponse<String> send(HttpRequest request) {
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
