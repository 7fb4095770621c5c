package dev.keepwarm.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * An OpenTelemetry collector's OTLP/HTTP traces port, in process: it answers every
 * {@code POST /v1/traces} with 200 and keeps the protobuf bodies. OTLP's protobuf holds a
 * trace id as its 16 raw bytes and strings as UTF-8, so a batch can be searched without
 * decoding it.
 */
public final class OtlpReceiver implements AutoCloseable {

    private final List<byte[]> batches = new CopyOnWriteArrayList<>();

    private final List<String> contentTypes = new CopyOnWriteArrayList<>();

    private final DisposableServer server;

    private OtlpReceiver() {
        this.server = HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .route(routes -> routes.post("/v1/traces",
                    (request, response) -> request.receive().aggregate().asByteArray().doOnNext(body -> {
                        contentTypes.add(request.requestHeaders().get("content-type"));
                        batches.add(body);
                    })
                        // no idle keep-alive connection: the exporter's HTTP client
                        // outlives the application and would hold one open, which a stop
                        // waits for
                        .then(response.keepAlive(false)
                            .status(200)
                            .header("content-type", "application/x-protobuf")
                            .send())))
            .bindNow();
    }

    public static OtlpReceiver start() {
        return new OtlpReceiver();
    }

    /**
     * The URL to set as {@code management.opentelemetry.tracing.export.otlp.endpoint}.
     */
    public String tracesUrl() {
        return "http://127.0.0.1:" + server.port() + "/v1/traces";
    }

    /** The Content-Type of every batch received. */
    public List<String> contentTypes() {
        return List.copyOf(contentTypes);
    }

    /** The first batch received that holds the trace (hex id), or null. */
    public byte[] batchOf(String traceId) {
        byte[] id = HexFormat.of().parseHex(traceId);
        return batches.stream().filter(body -> indexOf(body, id) >= 0).findFirst().orElse(null);
    }

    /** Whether the batch holds the text (a span name, an attribute's key or value). */
    public static boolean contains(byte[] batch, String text) {
        return indexOf(batch, text.getBytes(StandardCharsets.UTF_8)) >= 0;
    }

    private static int indexOf(byte[] body, byte[] part) {
        outer: for (int i = 0; i + part.length <= body.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (body[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(10));
    }

}
