package dev.keepwarm.proxy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import dev.keepwarm.fake.Received;
import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * With no keepwarm.proxy.trusted-proxies (the default), a client cannot tell Ollama who
 * it is: its forwarded headers stay behind and Ollama sees what keepwarm saw (the
 * CVE-2025-41235 class of Spring Cloud Gateway).
 */
@SpringBootTest(webEnvironment = RANDOM_PORT, properties = "keepwarm.warmer.enabled=false")
class ForwardedHeadersTest extends ProxyTestBase {

    /** What a client that pretends to be behind a proxy sends: name, value pairs. */
    static final List<String> SPOOFED = List.of("X-Forwarded-For", "203.0.113.7", "X-Forwarded-Proto", "https",
            "X-Forwarded-Host", "admin.example.com", "X-Forwarded-Port", "443", "X-Forwarded-Prefix", "/internal",
            "Forwarded", "for=203.0.113.7;proto=https;host=admin.example.com", "X-Real-IP", "203.0.113.7");

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void spoofedForwardedHeadersOfAStreamedRouteDoNotReachOllama() throws Exception {
        send(HttpRequest.newBuilder(URI.create(loopbackUrl() + "/api/tags")).GET(), SPOOFED);
        assertKeepwarmsOwnValues(FAKE.lastReceived("/api/tags").orElseThrow());
    }

    @Test
    void spoofedForwardedHeadersOfARewrittenRouteDoNotReachOllama() throws Exception {
        send(HttpRequest.newBuilder(URI.create(loopbackUrl() + "/api/generate"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"mistral\",\"prompt\":\"hi\",\"stream\":false}")),
                SPOOFED);
        assertKeepwarmsOwnValues(FAKE.lastReceived("/api/generate").orElseThrow());
    }

    @Test
    void forwardedHeadersInAnyCaseAreDropped() throws Exception {
        send(HttpRequest.newBuilder(URI.create(loopbackUrl() + "/api/version")).GET(),
                List.of("x-FORWARDED-for", "203.0.113.7", "FORWARDED", "for=203.0.113.7", "X-Forwarded-Ssl", "on"));
        Received received = FAKE.lastReceived("/api/version").orElseThrow();
        assertThat(received.headers().get("x-forwarded-for")).containsExactly("127.0.0.1");
        assertThat(received.header("forwarded")).isNull();
        assertThat(received.header("x-forwarded-ssl")).isNull();
    }

    private void assertKeepwarmsOwnValues(Received received) {
        assertThat(received.headers().get("x-forwarded-for")).containsExactly("127.0.0.1");
        assertThat(received.headers().get("x-forwarded-proto")).containsExactly("http");
        assertThat(received.headers().get("x-forwarded-host")).containsExactly("127.0.0.1:" + port);
        assertThat(received.header("x-forwarded-port")).isNull();
        assertThat(received.header("x-forwarded-prefix")).isNull();
        assertThat(received.header("forwarded")).isNull();
        assertThat(received.header("x-real-ip")).isNull();
    }

    /**
     * The proxy on 127.0.0.1, so that the peer Ollama should see is known whatever
     * localhost resolves to.
     */
    String loopbackUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Sends the request with the headers (name, value pairs) and answers its status. */
    static int send(HttpRequest.Builder request, List<String> headers) throws Exception {
        for (int i = 0; i < headers.size(); i += 2) {
            request.header(headers.get(i), headers.get(i + 1));
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.statusCode();
    }

}
