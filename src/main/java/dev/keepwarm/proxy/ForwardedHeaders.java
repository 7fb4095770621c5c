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
import io.netty.util.NetUtil;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.server.HttpServerRequest;

/**
 * Which headers cross the proxy: hop-by-hop headers (RFC 9110 7.6.1) stop here, Host
 * becomes the upstream's own host:port (Ollama on loopback answers 403 otherwise:
 * OLLAMA-API.md, "Forwarding"), and X-Forwarded-* tell Ollama and its logs who really
 * asked; only a peer in keepwarm.proxy.trusted-proxies may speak for someone else. Names
 * are compared without lower-casing copies: this runs twice per request.
 */
final class ForwardedHeaders {

    private static final List<AsciiString> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION,
            AsciiString.cached("proxy-connection"), HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
            HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE);

    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");

    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");

    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");

    private static final AsciiString X_FORWARDED_ = AsciiString.cached("x-forwarded-");

    private static final AsciiString FORWARDED = AsciiString.cached("forwarded");

    private static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");

    private static final int MAX_PEERS = 4096;

    private final TrustedProxies trusted;

    /**
     * Peers as text, and whether they are trusted proxies: formatting an address per
     * request was 2% of the proxy's CPU, and a hit here needs no address bytes either.
     * Bounded: cleared when full.
     */
    private final Map<InetAddress, Peer> peers = new ConcurrentHashMap<>();

    ForwardedHeaders(TrustedProxies trusted) {
        this.trusted = trusted;
    }

    private record Peer(String text, boolean trusted) {
    }

    private Peer peer(InetAddress address) {
        Peer peer = peers.get(address);
        if (peer == null) {
            peer = new Peer(address.getHostAddress(), trusted.contains(address));
            if (peers.size() >= MAX_PEERS) {
                peers.clear();
            }
            peers.put(address, peer);
        }
        return peer;
    }

    /**
     * Headers for the upstream request; contentLength -1 keeps the client's own
     * Content-Length (streamed body). Forwarded headers (X-Forwarded-*, Forwarded,
     * X-Real-IP) cross only from a trusted proxy, which gets its address appended to
     * X-Forwarded-For; anyone else's are replaced by what keepwarm saw itself. The peer
     * is the socket's own: Reactor Netty's remoteAddress() and scheme() follow the
     * client's headers when Boot turns on forwarded handling
     * (server.forward-headers-strategy, on by default on Kubernetes).
     */
    void toUpstream(ProxyExchange exchange, HttpHeaders target, String upstreamHost, long contentLength) {
        HttpServerRequest request = exchange.request();
        HttpHeaders source = request.requestHeaders();
        Peer peer = request.connectionRemoteAddress() instanceof InetSocketAddress remote && remote.getAddress() != null
                ? peer(remote.getAddress()) : null;
        boolean believed = peer != null && peer.trusted();
        copyEndToEnd(source, target, !believed);
        if (exchange.dropAuthorization()) {
            target.remove(HttpHeaderNames.AUTHORIZATION);
        }
        // keepwarm's own: which host, not Ollama's business
        target.remove(ProxyErrors.UPSTREAM_HEADER);
        target.set(HttpHeaderNames.HOST, upstreamHost);
        if (contentLength >= 0) {
            target.set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        }
        if (peer != null) {
            String prior = believed ? priorHops(source) : null;
            target.set(X_FORWARDED_FOR, prior == null ? peer.text() : prior + ", " + peer.text());
        }
        if (!target.contains(X_FORWARDED_PROTO)) {
            target.set(X_FORWARDED_PROTO, request.connectionScheme());
        }
        String host = source.get(HttpHeaderNames.HOST);
        if (host != null && !target.contains(X_FORWARDED_HOST)) {
            target.set(X_FORWARDED_HOST, host);
        } // last: a traced request's context replaces the client's traceparent
        exchange.trace().propagate(target);
    }

    /**
     * Who asked, as far as keepwarm can vouch, for logs: the socket's peer; behind
     * trusted proxies, the last X-Forwarded-For hop that is not one of them (the hop a
     * trusted proxy saw). An entry that is no plain address (a port, a name, "unknown")
     * ends the walk at the hop to its right. Null without an IP peer (a Unix socket). Off
     * the hot path: only a refusal reads it.
     */
    @Nullable String client(HttpServerRequest request) {
        if (!(request.connectionRemoteAddress() instanceof InetSocketAddress remote) || remote.getAddress() == null) {
            return null;
        }
        Peer peer = peer(remote.getAddress());
        String vouched = peer.text();
        String hops = peer.trusted() ? priorHops(request.requestHeaders()) : null;
        if (hops == null) {
            return vouched;
        }
        String[] entries = hops.split(",");
        for (int i = entries.length - 1; i >= 0; i--) {
            String entry = entries[i].strip();
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(entry);
            if (bytes == null) {
                return vouched;
            }
            // canonical: no zone or other text of the client's reaches a log
            vouched = NetUtil.bytesToIpAddress(bytes);
            if (!trusted.contains(bytes)) {
                return vouched;
            }
        }
        return vouched;
    }

    /**
     * The X-Forwarded-For chain a trusted proxy sent, its header lines joined (RFC 9110
     * 5.3), or null.
     */
    private static @Nullable String priorHops(HttpHeaders source) {
        List<String> lines = source.getAll(X_FORWARDED_FOR);
        return lines.isEmpty() ? null : lines.size() == 1 ? lines.get(0) : String.join(", ", lines);
    }

    /** Headers for the client's response: everything Ollama sent but hop-by-hop ones. */
    static void toClient(HttpHeaders upstream, HttpHeaders target) {
        copyEndToEnd(upstream, target, false);
    }

    /**
     * Replaces the target's values of every end-to-end header of the source (Reactor
     * Netty adds defaults).
     * @param dropForwarded whether forwarded headers stay behind too (the client is no
     * trusted proxy)
     */
    private static void copyEndToEnd(HttpHeaders source, HttpHeaders target, boolean dropForwarded) {
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
            if (endToEnd(entry.getKey(), connection) && !(dropForwarded && forwarded(entry.getKey()))) {
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

    /**
     * X-Forwarded-For, -Proto, -Host, -Port, -Prefix, ..., RFC 7239 Forwarded and
     * X-Real-IP: claims about the client.
     */
    private static boolean forwarded(CharSequence name) {
        return AsciiString.regionMatches(name, true, 0, X_FORWARDED_, 0, X_FORWARDED_.length())
                || FORWARDED.contentEqualsIgnoreCase(name) || X_REAL_IP.contentEqualsIgnoreCase(name);
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
