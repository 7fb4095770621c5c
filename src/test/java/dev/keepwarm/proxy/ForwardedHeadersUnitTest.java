package dev.keepwarm.proxy;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import reactor.netty.http.server.HttpServerRequest;

import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which headers reach Ollama and the client, without a server: {@link ForwardedHeaders}
 * on a request whose socket peer and headers the test chooses. (ForwardedHeadersTest and
 * TrustedProxyTest check the same through the proxy.)
 */
class ForwardedHeadersUnitTest {

    private static final String UPSTREAM = "127.0.0.1:11434";

    private static final ForwardedHeaders NOBODY_TRUSTED = new ForwardedHeaders(TrustedProxies.NONE);

    private static final ForwardedHeaders BEHIND_PROXIES = new ForwardedHeaders(
            TrustedProxies.parse(List.of("10.0.0.0/8", "fd00::/8")));

    private final HttpHeaders client = new DefaultHttpHeaders().set("Host", "keepwarm.example:8080");

    /**
     * A request from {@code peer} with the test's headers; only what ForwardedHeaders may
     * read is answered.
     */
    private HttpServerRequest from(SocketAddress peer) {
        return (HttpServerRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { HttpServerRequest.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "requestHeaders" -> client;
                    case "connectionRemoteAddress" -> peer;
                    case "connectionScheme" -> "http";
                    case "toString" -> "request from " + peer;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static InetSocketAddress ip(String address) {
        return new InetSocketAddress(address, 40000);
    }

    private HttpHeaders upstream(ForwardedHeaders headers, SocketAddress peer, boolean dropAuthorization,
            long contentLength) {
        ProxyExchange exchange = new ProxyExchange(from(peer), null, HttpMethod.POST, "/api/chat", "/api/chat",
                dropAuthorization, ProxyTracer.Trace.NONE);
        HttpHeaders target = new DefaultHttpHeaders();
        headers.toUpstream(exchange, target, UPSTREAM, contentLength);
        return target;
    }

    private HttpHeaders upstream(ForwardedHeaders headers, SocketAddress peer) {
        return upstream(headers, peer, false, -1);
    }

    @Test
    void hopByHopHeadersStayBehindAndEndToEndOnesCross() {
        client.add("Connection", "keep-alive")
            .add("Keep-Alive", "timeout=5")
            .add("TE", "trailers")
            .add("Transfer-Encoding", "chunked")
            .add("Upgrade", "h2c")
            .add("Proxy-Authorization", "Basic eA==")
            .add("Proxy-Connection", "keep-alive")
            .add("Trailer", "X-Checksum")
            .add("Content-Type", "application/json")
            .add("Authorization", "Bearer ollama-key")
            .add("X-Request-Id", "r-1")
            .add("X-Request-Id", "r-2");

        HttpHeaders sent = upstream(NOBODY_TRUSTED, ip("192.0.2.7"));

        assertThat(sent.names()).map(String::toLowerCase)
            .doesNotContain("connection", "keep-alive", "te", "transfer-encoding", "upgrade", "proxy-authorization",
                    "proxy-connection", "trailer");
        assertThat(sent.get("Content-Type")).isEqualTo("application/json");
        assertThat(sent.get("Authorization")).isEqualTo("Bearer ollama-key");
        assertThat(sent.getAll("X-Request-Id")).containsExactly("r-1", "r-2");
    }

    @Test
    void headersTheClientNamesInConnectionStayBehind() {
        client.add("Connection", "close, X-Secret")
            .add("connection", "x-other")
            .add("X-Secret", "s")
            .add("X-Other", "o")
            .add("X-Kept", "k");

        HttpHeaders sent = upstream(NOBODY_TRUSTED, ip("192.0.2.7"));

        assertThat(sent.contains("X-Secret")).isFalse();
        assertThat(sent.contains("X-Other")).isFalse();
        assertThat(sent.get("X-Kept")).isEqualTo("k");
    }

    @Test
    void ollamaGetsItsOwnHostAndTheClientsHostAsXForwardedHost() {
        HttpHeaders sent = upstream(NOBODY_TRUSTED, ip("192.0.2.7"));

        assertThat(sent.getAll("Host")).containsExactly(UPSTREAM);
        assertThat(sent.get("X-Forwarded-Host")).isEqualTo("keepwarm.example:8080");
        assertThat(sent.get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(sent.get("X-Forwarded-For")).isEqualTo("192.0.2.7");
    }

    @Test
    void untrustedClientsForwardedClaimsAreReplacedByWhatKeepwarmSaw() {
        client.add("X-Forwarded-For", "203.0.113.9")
            .add("x-forwarded-proto", "https")
            .add("X-Forwarded-Host", "evil.example")
            .add("X-Forwarded-Prefix", "/admin")
            .add("Forwarded", "for=203.0.113.9")
            .add("X-Real-IP", "203.0.113.9");

        // not in the trusted blocks
        HttpHeaders sent = upstream(BEHIND_PROXIES, ip("192.0.2.7"));

        assertThat(sent.getAll("X-Forwarded-For")).containsExactly("192.0.2.7");
        assertThat(sent.getAll("X-Forwarded-Proto")).containsExactly("http");
        assertThat(sent.getAll("X-Forwarded-Host")).containsExactly("keepwarm.example:8080");
        assertThat(sent.contains("X-Forwarded-Prefix")).isFalse();
        assertThat(sent.contains("Forwarded")).isFalse();
        assertThat(sent.contains("X-Real-IP")).isFalse();
    }

    @Test
    void trustedProxysClaimsCrossWithItsOwnAddressAppended() {
        client.add("X-Forwarded-For", "203.0.113.9")
            .add("X-Forwarded-For", "198.51.100.4")
            .add("X-Forwarded-Proto", "https")
            .add("X-Forwarded-Host", "ollama.example")
            .add("X-Real-IP", "203.0.113.9");

        HttpHeaders sent = upstream(BEHIND_PROXIES, ip("10.1.2.3"));

        assertThat(sent.getAll("X-Forwarded-For")).containsExactly("203.0.113.9, 198.51.100.4, 10.1.2.3");
        assertThat(sent.getAll("X-Forwarded-Proto")).containsExactly("https");
        assertThat(sent.getAll("X-Forwarded-Host")).containsExactly("ollama.example");
        assertThat(sent.get("X-Real-IP")).isEqualTo("203.0.113.9");
    }

    @Test
    void trustedProxyWithoutClaimsGetsKeepwarmsOwnValues() {
        HttpHeaders sent = upstream(BEHIND_PROXIES, ip("10.1.2.3"));

        assertThat(sent.get("X-Forwarded-For")).isEqualTo("10.1.2.3");
        assertThat(sent.get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(sent.get("X-Forwarded-Host")).isEqualTo("keepwarm.example:8080");
    }

    @Test
    void keepwarmKeyStaysBehindOnlyWhenTheExchangeSaysSo() {
        client.add("Authorization", "Bearer kw-secret");

        assertThat(upstream(NOBODY_TRUSTED, ip("192.0.2.7"), true, -1).contains("Authorization")).isFalse();
        assertThat(upstream(NOBODY_TRUSTED, ip("192.0.2.7"), false, -1).get("Authorization"))
            .isEqualTo("Bearer kw-secret");
    }

    @Test
    void rewrittenBodyGetsItsNewLengthAndAStreamedOneKeepsTheClients() {
        client.add("Content-Length", "120");

        assertThat(upstream(NOBODY_TRUSTED, ip("192.0.2.7"), false, 147).getAll("Content-Length"))
            .containsExactly("147");
        assertThat(upstream(NOBODY_TRUSTED, ip("192.0.2.7"), false, -1).getAll("Content-Length"))
            .containsExactly("120");
    }

    @Test
    void clientValuesReplaceDefaultsAlreadyInTheUpstreamRequest() {
        client.add("User-Agent", "ollama-python/0.4");
        ProxyExchange exchange = new ProxyExchange(from(ip("192.0.2.7")), null, HttpMethod.GET, "/api/ps", "/api/ps",
                false, ProxyTracer.Trace.NONE);
        HttpHeaders target = new DefaultHttpHeaders().add("User-Agent", "ReactorNetty/1.3");

        NOBODY_TRUSTED.toUpstream(exchange, target, UPSTREAM, -1);

        assertThat(target.getAll("User-Agent")).containsExactly("ollama-python/0.4");
    }

    @Test
    void peerOnAUnixSocketGetsNoXForwardedFor() {
        client.add("X-Forwarded-For", "203.0.113.9");

        HttpHeaders sent = upstream(BEHIND_PROXIES, new DomainSocketAddress("/run/keepwarm.sock"));

        assertThat(sent.contains("X-Forwarded-For")).isFalse();
        assertThat(sent.get("X-Forwarded-Proto")).isEqualTo("http");
    }

    @Test
    void loggedClientOfAnUntrustedPeerIsThePeerWhateverItClaims() {
        client.add("X-Forwarded-For", "203.0.113.9");

        assertThat(BEHIND_PROXIES.client(from(ip("192.0.2.7")))).isEqualTo("192.0.2.7");
        assertThat(NOBODY_TRUSTED.client(from(ip("10.1.2.3")))).isEqualTo("10.1.2.3");
    }

    @Test
    void loggedClientBehindTrustedProxiesIsTheFirstUntrustedHopFromTheRight() {
        client.add("X-Forwarded-For", "198.51.100.1, 203.0.113.9, 10.9.9.9");

        assertThat(BEHIND_PROXIES.client(from(ip("10.1.2.3")))).isEqualTo("203.0.113.9");
    }

    @Test
    void loggedClientIsTheLeftmostHopWhenEveryHopIsATrustedProxy() {
        client.add("X-Forwarded-For", "10.7.7.7, fd00::1");

        assertThat(BEHIND_PROXIES.client(from(ip("10.1.2.3")))).isEqualTo("10.7.7.7");
    }

    @Test
    void hopThatIsNoPlainAddressEndsTheWalkAtTheHopToItsRight() {
        client.add("X-Forwarded-For", "203.0.113.9, unknown, 10.9.9.9");

        assertThat(BEHIND_PROXIES.client(from(ip("10.1.2.3")))).isEqualTo("10.9.9.9");
    }

    @Test
    void loggedAddressIsCanonicalWhateverTheClientWrote() {
        client.add("X-Forwarded-For", "2001:DB8:0:0:0:0:0:1");

        assertThat(BEHIND_PROXIES.client(from(ip("10.1.2.3")))).isEqualTo("2001:db8::1");
    }

    @Test
    void unixSocketPeerHasNoLoggedClient() {
        assertThat(BEHIND_PROXIES.client(from(new DomainSocketAddress("/run/keepwarm.sock")))).isNull();
    }

    @Test
    void clientGetsOllamasEndToEndResponseHeadersOnly() {
        HttpHeaders ollama = new DefaultHttpHeaders().add("Content-Type", "application/x-ndjson")
            .add("Transfer-Encoding", "chunked")
            .add("Connection", "keep-alive, X-Internal")
            .add("X-Internal", "1")
            .add("Date", "Wed, 25 Nov 2026 09:00:00 GMT");
        HttpHeaders target = new DefaultHttpHeaders();

        ForwardedHeaders.toClient(ollama, target);

        assertThat(target.names()).map(String::toLowerCase).containsExactlyInAnyOrder("content-type", "date");
    }

}
