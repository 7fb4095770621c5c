package dev.keepwarm.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import reactor.netty.http.server.HttpServerRequest;

/**
 * Which headers cross the proxy: hop-by-hop headers (RFC 9110 7.6.1) stop here, Host becomes the upstream's own
 * host:port (Ollama on loopback answers 403 otherwise: OLLAMA-API.md, "Forwarding"), and X-Forwarded-* tell
 * Ollama and its logs who really asked. Names are compared without lower-casing copies: this runs twice per request.
 */
final class ForwardedHeaders {

    private static final List<AsciiString> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION, AsciiString.cached("proxy-connection"),
            HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE);

    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");

    /** Client addresses as text: formatting one per request was 2% of the proxy's CPU. Bounded: cleared when full. */
    private static final Map<InetAddress, String> ADDRESSES = new ConcurrentHashMap<>();
    private static final int MAX_ADDRESSES = 4096;

    private ForwardedHeaders() {
    }

    private static String text(InetAddress address) {
        String text = ADDRESSES.get(address);
        if (text == null) {
            text = address.getHostAddress();
            if (ADDRESSES.size() >= MAX_ADDRESSES) {
                ADDRESSES.clear();
            }
            ADDRESSES.put(address, text);
        }
        return text;
    }

    /** Headers for the upstream request; contentLength -1 keeps the client's own Content-Length (streamed body). */
    static void toUpstream(ProxyExchange exchange, HttpHeaders target, String upstreamHost, long contentLength) {
        HttpServerRequest request = exchange.request();
        HttpHeaders source = request.requestHeaders();
        copyEndToEnd(source, target);
        if (exchange.dropAuthorization()) {
            target.remove(HttpHeaderNames.AUTHORIZATION);
        }
        target.set(HttpHeaderNames.HOST, upstreamHost);
        if (contentLength >= 0) {
            target.set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        }
        InetSocketAddress remote = request.remoteAddress();
        if (remote != null && remote.getAddress() != null) {
            String client = text(remote.getAddress());
            String prior = source.get(X_FORWARDED_FOR);
            target.set(X_FORWARDED_FOR, prior == null ? client : prior + ", " + client);
        }
        if (!source.contains(X_FORWARDED_PROTO)) {
            target.set(X_FORWARDED_PROTO, request.scheme());
        }
        String host = source.get(HttpHeaderNames.HOST);
        if (host != null && !source.contains(X_FORWARDED_HOST)) {
            target.set(X_FORWARDED_HOST, host);
        }
    }

    /** Headers for the client's response: everything Ollama sent but hop-by-hop ones. */
    static void toClient(HttpHeaders upstream, HttpHeaders target) {
        copyEndToEnd(upstream, target);
    }

    /** Replaces the target's values of every end-to-end header of the source (Reactor Netty adds defaults). */
    private static void copyEndToEnd(HttpHeaders source, HttpHeaders target) {
        String connection = source.contains(HttpHeaderNames.CONNECTION)
                ? String.join(",", source.getAll(HttpHeaderNames.CONNECTION)) : null;
        Iterator<Map.Entry<CharSequence, CharSequence>> names = source.iteratorCharSequence();
        while (names.hasNext()) {
            CharSequence name = names.next().getKey();
            if (endToEnd(name, connection)) {
                target.remove(name);
            }
        }
        Iterator<Map.Entry<CharSequence, CharSequence>> entries = source.iteratorCharSequence();
        while (entries.hasNext()) {
            Map.Entry<CharSequence, CharSequence> entry = entries.next();
            if (endToEnd(entry.getKey(), connection)) {
                target.add(entry.getKey(), entry.getValue());
            }
        }
    }

    private static boolean endToEnd(CharSequence name, String connection) {
        for (AsciiString hop : HOP_BY_HOP) {
            if (hop.contentEqualsIgnoreCase(name)) {
                return false;
            }
        }
        return connection == null || !namedIn(connection, name);
    }

    /** Headers named in Connection are hop-by-hop too ("Connection: close, X-Secret"). */
    private static boolean namedIn(String connection, CharSequence name) {
        for (String token : connection.split(",")) {
            if (AsciiString.contentEqualsIgnoreCase(token.strip(), name)) {
                return true;
            }
        }
        return false;
    }
}
