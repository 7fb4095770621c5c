package dev.keepwarm.proxy;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;

import dev.keepwarm.fake.Received;
import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;

import static dev.keepwarm.proxy.ForwardedHeadersTest.SPOOFED;
import static dev.keepwarm.proxy.ForwardedHeadersTest.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * A peer in keepwarm.proxy.trusted-proxies speaks for its client: its forwarded headers
 * go on, with it appended.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.enabled=false", "keepwarm.proxy.trusted-proxies=10.0.0.0/8, 127.0.0.1/32" })
class TrustedProxyTest extends ProxyTestBase {

    @Test
    void trustedProxysForwardedHeadersReachOllamaWithThePeerAppended() throws Exception {
        send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/tags")).GET(), SPOOFED);
        Received received = FAKE.lastReceived("/api/tags").orElseThrow();
        assertThat(received.headers().get("x-forwarded-for")).containsExactly("203.0.113.7, 127.0.0.1");
        assertThat(received.headers().get("x-forwarded-proto")).containsExactly("https");
        assertThat(received.headers().get("x-forwarded-host")).containsExactly("admin.example.com");
        assertThat(received.header("x-forwarded-port")).isEqualTo("443");
        assertThat(received.header("x-forwarded-prefix")).isEqualTo("/internal");
        assertThat(received.header("forwarded")).isEqualTo("for=203.0.113.7;proto=https;host=admin.example.com");
        assertThat(received.header("x-real-ip")).isEqualTo("203.0.113.7");
    }

    @Test
    void trustedProxyWithoutForwardedHeadersGetsKeepwarmsOwn() throws Exception {
        send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/tags")).GET(), List.of());
        Received received = FAKE.lastReceived("/api/tags").orElseThrow();
        assertThat(received.headers().get("x-forwarded-for")).containsExactly("127.0.0.1");
        assertThat(received.headers().get("x-forwarded-proto")).containsExactly("http");
        assertThat(received.headers().get("x-forwarded-host")).containsExactly("127.0.0.1:" + port);
    }

    @Test
    void everyXForwardedForLineOfATrustedProxyIsKeptInOrder() throws Exception {
        send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/tags")).GET(),
                List.of("X-Forwarded-For", "203.0.113.7", "X-Forwarded-For", "10.1.1.1"));
        Received received = FAKE.lastReceived("/api/tags").orElseThrow();
        assertThat(received.headers().get("x-forwarded-for")).containsExactly("203.0.113.7, 10.1.1.1, 127.0.0.1");
    }

}
