package dev.keepwarm.proxy;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;

import dev.keepwarm.fake.Received;
import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;

import static dev.keepwarm.proxy.ForwardedHeadersTest.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Boot turns on Reactor Netty's own forwarded handling with
 * server.forward-headers-strategy=native, and by default on Kubernetes; then the
 * request's remoteAddress() and scheme() are what the client's headers say. keepwarm
 * judges and reports the socket's peer, so a client cannot claim to be a trusted proxy.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT, properties = { "keepwarm.warmer.enabled=false",
        "server.forward-headers-strategy=native", "keepwarm.proxy.trusted-proxies=10.0.0.0/8" })
class NativeForwardedStrategyTest extends ProxyTestBase {

    @Test
    void clientClaimingATrustedAddressIsNotBelieved() throws Exception {
        send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/tags")).GET(),
                List.of("X-Forwarded-For", "10.1.1.1", "X-Forwarded-Proto", "https", "X-Forwarded-Host",
                        "admin.example.com", "Forwarded", "for=10.1.1.1;proto=https"));
        Received received = FAKE.lastReceived("/api/tags").orElseThrow();
        assertThat(received.headers().get("x-forwarded-for")).containsExactly("127.0.0.1");
        assertThat(received.headers().get("x-forwarded-proto")).containsExactly("http");
        assertThat(received.headers().get("x-forwarded-host")).containsExactly("127.0.0.1:" + port);
        assertThat(received.header("forwarded")).isNull();
    }

}
