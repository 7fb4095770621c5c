package dev.keepwarm.fake;

import io.netty.channel.Channel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * HEAD and POST /api/blobs/:digest, as Ollama's HeadBlobHandler and CreateBlobHandler. An
 * upload is hashed as its bytes arrive and never held: {@link Router} reads whole bodies,
 * so uploads come here before it, and get its Host check, journal and armed failures
 * here. The journal records an upload without its body (its headers tell its size).
 */
final class BlobRoutes {

    static final String PREFIX = "/api/blobs/";

    private final Blobs blobs;

    private final Settings settings;

    private final Journal journal;

    private final Faults faults;

    private final HostCheck hostCheck = new HostCheck();

    BlobRoutes(Blobs blobs, Settings settings, Journal journal, Faults faults) {
        this.blobs = blobs;
        this.settings = settings;
        this.journal = journal;
        this.faults = faults;
    }

    /**
     * HEAD: 200 when the blob is held, else 404 (gin still sets the JSON error's length).
     */
    Mono<Void> head(Exchange exchange) {
        String digest = digest(exchange.received().path());
        if (!Blobs.valid(digest)) {
            throw ApiError.badRequest("invalid digest format");
        }
        if (!blobs.has(digest)) {
            throw ApiError.notFound("blob " + Responses.quoted(digest) + " not found");
        }
        return exchange.empty(200);
    }

    /**
     * Whether this request is an upload, which {@link #upload} answers instead of the
     * router.
     */
    static boolean isUpload(HttpServerRequest request) {
        String path = path(request.uri());
        return "POST".equals(request.method().name()) && path.startsWith(PREFIX) && path.length() > PREFIX.length()
                && path.indexOf('/', PREFIX.length()) < 0;
    }

    Publisher<Void> upload(HttpServerRequest request, HttpServerResponse response) {
        long startNanos = System.nanoTime();
        AtomicReference<Channel> channel = new AtomicReference<>();
        response.withConnection(connection -> channel.set(connection.channel()));
        Received received = record(request);
        if (settings.recordRequests()) {
            journal.received(received);
        }
        Exchange exchange = new Exchange(response, channel.get(), received, startNanos, faults, journal);
        String digest = digest(received.path());
        Mono<Void> answer;
        Optional<Faults.Failure> failure = faults.takeFailure(received.path());
        if (settings.requireLoopbackHost() && !hostCheck.allowed(received.header("host"))) {
            answer = drain(request).then(exchange.empty(403));
        }
        else if (faults.hangs(received.path())) {
            answer = Mono.never();
        }
        else if (failure.isPresent()) {
            answer = drain(request).then(exchange.bytes(failure.get().status(), Exchange.JSON,
                    failure.get().jsonBody().getBytes(StandardCharsets.UTF_8)));
        }
        else if (!Blobs.valid(digest)) {
            answer = drain(request).then(exchange.error(400, "invalid digest format"));
        }
        else if (blobs.has(digest)) {
            answer = drain(request).then(exchange.empty(200)); // Ollama answers without
                                                               // reading it
        }
        else {
            answer = hash(request, digest, exchange);
        }
        return answer.doFinally(signal -> {
            if (signal == SignalType.CANCEL) {
                exchange.disconnected();
            }
        });
    }

    private Mono<Void> hash(HttpServerRequest request, String digest, Exchange exchange) {
        MessageDigest sha256 = sha256();
        AtomicLong size = new AtomicLong();
        // Reactor Netty releases each buffer once onNext returns: only the hash keeps
        // anything
        return request.receive().doOnNext(buffer -> {
            size.addAndGet(buffer.readableBytes());
            for (ByteBuffer part : buffer.nioBuffers()) {
                sha256.update(part);
            }
        }).then(Mono.defer(() -> {
            String actual = "sha256:" + HexFormat.of().formatHex(sha256.digest());
            if (!actual.equals(digest)) {
                return exchange.error(400,
                        "digest mismatch, expected " + Responses.quoted(digest) + ", got " + Responses.quoted(actual));
            }
            blobs.add(digest, size.get());
            return exchange.empty(201);
        }));
    }

    private static Mono<Void> drain(HttpServerRequest request) {
        return request.receive().then();
    }

    private static Received record(HttpServerRequest request) {
        String target = target(request.uri());
        int q = target.indexOf('?');
        Map<String, List<String>> headers = new HashMap<>();
        request.requestHeaders()
            .forEach(h -> headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .add(h.getValue()));
        return new Received(request.method().name(), q < 0 ? target : target.substring(0, q),
                q < 0 ? "" : target.substring(q + 1), headers, new byte[0]);
    }

    private static String path(String uri) {
        String target = target(uri);
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** The request target in origin form, as {@link Router} records it. */
    private static String target(String uri) {
        if (uri.startsWith("http://") || uri.startsWith("https://")) {
            int slash = uri.indexOf('/', uri.indexOf("//") + 2);
            return slash < 0 ? "/" : uri.substring(slash);
        }
        return uri;
    }

    private static String digest(String path) {
        return path.substring(PREFIX.length());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
