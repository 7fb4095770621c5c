package dev.keepwarm.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.keepwarm.proxy.ProxyObserver;
import dev.keepwarm.proxy.ProxyTracer;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import org.jspecify.annotations.Nullable;

/**
 * A span per request on the proxy port, in the client's trace when it sent a
 * {@code traceparent}, and that span's context sent on to Ollama in place of the
 * client's. The span carries what keepwarm did: the model, the endpoint, the keep_alive
 * decision, the host, whether Ollama loaded the model (cold) and the time to the first
 * chunk.
 */
final class ProxySpans implements ProxyTracer {

    /** Span attributes: OpenTelemetry's HTTP names, then keepwarm's own. */
    static final String METHOD = "http.request.method";

    static final String ROUTE = "http.route";

    static final String PATH = "url.path";

    static final String STATUS = "http.response.status_code";

    static final String MODEL = "keepwarm.model";

    static final String ENDPOINT = "keepwarm.endpoint";

    static final String DECISION = "keepwarm.keep_alive.decision";

    static final String KEEP_ALIVE = "keepwarm.keep_alive";

    static final String RULE = "keepwarm.rule";

    static final String HOST = "keepwarm.upstream.host";

    static final String ROUTED = "keepwarm.routed";

    static final String COLD = "keepwarm.cold_start";

    static final String LOAD_MS = "keepwarm.load_ms";

    static final String FIRST_CHUNK_MS = "keepwarm.time_to_first_chunk_ms";

    static final String OUTCOME = "keepwarm.outcome";

    /** Ollama's routes, which name spans; any other path is {@code other}. */
    private static final Set<String> ROUTES = Set.of("/", "/api/generate", "/api/chat", "/api/embed", "/api/embeddings",
            "/api/tags", "/api/ps", "/api/show", "/api/version", "/api/pull", "/api/push", "/api/create", "/api/copy",
            "/api/delete", "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", "/v1/messages",
            "/v1/responses");

    private final Tracer tracer;

    private final Propagator propagator;

    private final long coldStartNanos;

    ProxySpans(Tracer tracer, Propagator propagator, Duration coldStartThreshold) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.coldStartNanos = coldStartThreshold.toNanos();
    }

    @Override
    public Trace start(String method, String path, HttpHeaders headers) {
        String route = route(path);
        Span span = propagator.extract(headers, (carrier, key) -> carrier.get(key))
            .kind(Span.Kind.SERVER)
            .name(method + " " + route)
            .tag(METHOD, method)
            .tag(ROUTE, route)
            .tag(PATH, path)
            .start();
        return new RequestSpan(span, System.nanoTime());
    }

    /**
     * A bounded route for the span's name: Ollama's own paths as they are, blobs and
     * single models by template.
     */
    static String route(String path) {
        if (ROUTES.contains(path)) {
            return path;
        }
        if (path.startsWith("/api/blobs/")) {
            return "/api/blobs/{digest}";
        }
        if (path.startsWith("/v1/models/")) {
            return "/v1/models/{model}";
        }
        return "other";
    }

    private final class RequestSpan implements Trace {

        private final Span span;

        private final long start;

        private final AtomicInteger hosts = new AtomicInteger();

        /**
         * What the span still waits for: the response's end, and an observed body's end
         * (which Reactor signals after the response's) with Ollama's final numbers.
         */
        private final AtomicInteger open = new AtomicInteger(1);

        private final AtomicBoolean ended = new AtomicBoolean();

        RequestSpan(Span span, long start) {
            this.span = span;
            this.start = start;
        }

        @Override
        public void model(String model, String endpoint) {
            span.tag(MODEL, model).tag(ENDPOINT, endpoint);
        }

        @Override
        public void decided(String action, String keepAlive, String rule) {
            span.tag(DECISION, action).tag(KEEP_ALIVE, keepAlive).tag(RULE, rule);
        }

        @Override
        public void host(String host, @Nullable String reason) {
            if (hosts.getAndIncrement() > 0) {
                span.event("failover to " + host);
            }
            span.tag(HOST, host);
            if (reason != null) {
                span.tag(ROUTED, reason);
            }
        }

        @Override
        public void propagate(HttpHeaders upstream) {
            // the client's own trace headers (any format) would contradict this span's
            List<String> fields = propagator.fields();
            fields.forEach(field -> upstream.remove(field));
            propagator.inject(span.context(), upstream, (carrier, key, value) -> carrier.set(key, value));
        }

        @Override
        public ProxyObserver.Request observing(ProxyObserver.Request request) {
            return new ProxyObserver.Request() {
                private final AtomicBoolean first = new AtomicBoolean();

                @Override
                public void chunk(ByteBuf buffer) {
                    request.chunk(buffer);
                    if (first.compareAndSet(false, true)) {
                        open.incrementAndGet();
                        span.tag(FIRST_CHUNK_MS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                        span.event("first chunk");
                    }
                }

                @Override
                public void finish(String status) {
                    request.finish(status);
                    if (request instanceof RequestObservation observed && observed.last().loadDurationNs() >= 0) {
                        long load = observed.last().loadDurationNs();
                        span.tag(LOAD_MS, TimeUnit.NANOSECONDS.toMillis(load)).tag(COLD, load >= coldStartNanos);
                    }
                    if (first.get()) {
                        close();
                    }
                }
            };
        }

        @Override
        public void end(int status, @Nullable String outcome) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            span.tag(STATUS, status);
            if (outcome != null) {
                span.tag(OUTCOME, outcome);
            }
            if (status >= 500 || "error".equals(outcome)) {
                span.error(new UnsuccessfulResponse(outcome != null ? outcome : "HTTP " + status));
            }
            close();
        }

        @Override
        public String traceId() {
            return span.context().traceId();
        }

        private void close() {
            if (open.decrementAndGet() == 0) {
                span.end();
            }
        }

    }

    /** What marks a span as failed: the response's status or how it ended. */
    static final class UnsuccessfulResponse extends RuntimeException {

        UnsuccessfulResponse(String message) {
            super(message, null, false, false);
        }

    }

}
