package dev.keepwarm.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import dev.keepwarm.fake.Received;
import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * With no policy at all, the proxy is invisible: bytes, statuses and content types cross
 * it unchanged.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT, properties = "keepwarm.warmer.enabled=false")
class PassThroughTest extends ProxyTestBase {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void tagsAndPsAnswerExactlyWhatOllamaAnswers() throws Exception {
        for (String path : new String[] { "/api/tags", "/api/ps", "/api/version", "/" }) {
            HttpResponse<String> direct = get(FAKE.url() + path);
            HttpResponse<String> proxied = get(baseUrl() + path);
            assertThat(proxied.statusCode()).as(path).isEqualTo(direct.statusCode());
            assertThat(proxied.headers().firstValue("content-type")).as(path)
                .isEqualTo(direct.headers().firstValue("content-type"));
            assertThat(proxied.body()).as(path).isEqualTo(direct.body());
        }
    }

    @Test
    void modelWithoutRuleOrDefaultIsForwardedByteForByte() {
        String body = "{\"model\":\"mistral\",\"prompt\":\"hi\",\"keep_alive\":\"7m\" ,\"stream\":false}";
        client().post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Keepwarm-Keep-Alive", "7m; rule=none; action=pass");
        assertThat(FAKE.lastReceived("/api/generate").orElseThrow().bodyText()).isEqualTo(body);
    }

    @Test
    void openAiStreamPassesThroughAsServerSentEventsWithBodyUntouched() {
        String body = "{\"model\":\"mistral\",\"stream\":true,\"keep_alive\":\"5m\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        String events = client().post()
            .uri("/v1/chat/completions")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
            .expectHeader()
            .doesNotExist("X-Keepwarm-Keep-Alive")
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
        assertThat(events).contains("chat.completion.chunk").endsWith("data: [DONE]\n\n");
        assertThat(FAKE.lastReceived("/v1/chat/completions").orElseThrow().bodyText()).isEqualTo(body);
    }

    @Test
    void upstreamSeesItsOwnHostAndWhoReallyAsked() throws Exception {
        get(baseUrl() + "/api/tags?x=1");
        Received received = FAKE.lastReceived("/api/tags").orElseThrow();
        assertThat(received.header("host")).isEqualTo(FAKE.url().getHost() + ":" + FAKE.port());
        assertThat(received.header("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(received.header("x-forwarded-proto")).isEqualTo("http");
        assertThat(received.header("x-forwarded-host")).isEqualTo("localhost:" + port);
        assertThat(received.query()).isEqualTo("x=1");
    }

    @Test
    void hopByHopHeadersStopAtTheProxy() throws Exception {
        String response = rawRequest("GET /api/version HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close, X-Hop\r\nX-Hop: secret\r\nX-End: kept\r\nTE: trailers\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 200");
        Received received = FAKE.lastReceived("/api/version").orElseThrow();
        assertThat(received.header("x-end")).isEqualTo("kept");
        assertThat(received.header("x-hop")).isNull();
        assertThat(received.header("te")).isNull();
    }

    @Test
    void ollamaErrorsPassThroughUnchanged() {
        String busy = "{\"error\":\"server busy, please try again.  maximum pending requests exceeded\"}";
        FAKE.failNext("/api/chat", 503, busy);
        client().post()
            .uri("/api/chat")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"mistral\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
            .exchange()
            .expectStatus()
            .isEqualTo(503)
            .expectBody(String.class)
            .isEqualTo(busy);
        assertThat(FAKE.received("/api/chat")).hasSize(1); // not retried

        client().post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"no-such-model\",\"prompt\":\"hi\"}")
            .exchange()
            .expectStatus()
            .isNotFound()
            .expectBody()
            .jsonPath("$.error")
            .isEqualTo("model 'no-such-model' not found");
    }

    @Test
    void streamCutByOllamaEndsWithAnErrorLineAfterEveryChunkAlreadySent() {
        FAKE.tokens(5, java.time.Duration.ZERO);
        FAKE.dieMidStreamNext("/api/generate", 2);
        String body = streamedGenerate();
        String[] lines = body.split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).contains("\"done\":false");
        assertThat(lines[1]).contains("\"done\":false");
        assertThat(lines[2]).isEqualTo("{\"error\":\"keepwarm: upstream closed the stream\"}");
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String rawRequest(String request) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            in.transferTo(response);
            return response.toString(StandardCharsets.UTF_8);
        }
    }

}
