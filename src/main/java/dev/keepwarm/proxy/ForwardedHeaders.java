package dev.keepwarm.proxy;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Set;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Which headers cross the proxy: hop-by-hop headers (RFC 9110 7.6.1) stop here, Host becomes the upstream's own
 * host:port (Ollama on loopback answers 403 otherwise: OLLAMA-API.md, "Forwarding"), and X-Forwarded-* tell
 * Ollama and its logs who really asked.
 */
final class ForwardedHeaders {

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");

    private ForwardedHeaders() {
    }

    /** Headers for the upstream request; contentLength -1 keeps the client's own Content-Length (streamed body). */
    static void toUpstream(ServerHttpRequest request, HttpHeaders target, String upstreamHost, long contentLength) {
        HttpHeaders source = request.getHeaders();
        copyEndToEnd(source, target);
        target.remove(HttpHeaders.HOST);
        target.set(HttpHeaders.HOST, upstreamHost);
        if (contentLength >= 0) {
            target.setContentLength(contentLength);
        }
        InetSocketAddress remote = request.getRemoteAddress();
        if (remote != null && remote.getAddress() != null) {
            String client = remote.getAddress().getHostAddress();
            String prior = source.getFirst("X-Forwarded-For");
            target.set("X-Forwarded-For", prior == null ? client : prior + ", " + client);
        }
        if (source.getFirst("X-Forwarded-Proto") == null) {
            target.set("X-Forwarded-Proto", request.getURI().getScheme() == null ? "http" : request.getURI().getScheme());
        }
        String host = source.getFirst(HttpHeaders.HOST);
        if (source.getFirst("X-Forwarded-Host") == null && host != null) {
            target.set("X-Forwarded-Host", host);
        }
    }

    /** Headers for the client's response: everything Ollama sent but hop-by-hop ones. */
    static void toClient(HttpHeaders upstream, HttpHeaders target) {
        copyEndToEnd(upstream, target);
    }

    private static void copyEndToEnd(HttpHeaders source, HttpHeaders target) {
        Set<String> named = connectionTokens(source);
        source.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(lower) && !named.contains(lower)) {
                target.put(name, values);
            }
        });
    }

    /** Headers named in Connection are hop-by-hop too. */
    private static Set<String> connectionTokens(HttpHeaders headers) {
        var values = headers.get(HttpHeaders.CONNECTION);
        if (values == null) {
            return Set.of();
        }
        var tokens = new java.util.HashSet<String>();
        for (String value : values) {
            for (String token : value.split(",")) {
                tokens.add(token.strip().toLowerCase(Locale.ROOT));
            }
        }
        return tokens;
    }
}
