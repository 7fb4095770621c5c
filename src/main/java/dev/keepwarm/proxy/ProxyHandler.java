package dev.keepwarm.proxy;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

import dev.keepwarm.metrics.KeepwarmMetrics;
import dev.keepwarm.policy.Decision;
import dev.keepwarm.warmer.Warmer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

/**
 * The proxy's single entry point, a Reactor Netty route on the proxy port: every path and method goes to Ollama; the
 * four native routes that carry keep_alive are read whole (up to max-request-size), rewritten by policy, and sent on;
 * everything else streams through unchanged. Spring WebFlux's request machinery is not on this path: a proxy has no
 * use for it and it cost half the throughput (bench/results/latest.md).
 */
final class ProxyHandler implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

    private static final Logger log = LoggerFactory.getLogger(ProxyHandler.class);

    private final ProxyGate gate;
    private final RequestRewriter rewriter;
    private final UpstreamCall upstream;
    private final ProxyErrors errors;
    private final DataSize maxRequestSize;
    private final Warmer warmer;
    private final KeepwarmMetrics metrics;
    private final ForwardedHeaders headers;

    ProxyHandler(ProxyGate gate, RequestRewriter rewriter, UpstreamCall upstream, ProxyErrors errors,
            DataSize maxRequestSize, Warmer warmer, KeepwarmMetrics metrics, ForwardedHeaders headers) {
        this.gate = gate;
        this.headers = headers;
        this.warmer = warmer;
        this.metrics = metrics;
        this.rewriter = rewriter;
        this.upstream = upstream;
        this.errors = errors;
        this.maxRequestSize = maxRequestSize;
    }

    @Override
    public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
        ProxyExchange exchange = ProxyExchange.of(request, response);
        ProxyGate.Admission admission = gate.admit(exchange.method(), exchange.path(),
                request.requestHeaders().getAll(HttpHeaderNames.AUTHORIZATION), () -> headers.client(request));
        if (!admission.passes()) {
            return errors.refuse(response, admission);
        }
        ProxyExchange admitted = admission.dropAuthorization() ? exchange.withoutAuthorization() : exchange;
        // only before the response started: a broken stream has already been reported in its own format
        return route(admitted).onErrorResume(error -> !response.hasSentHeaders(), error -> {
            log.error("keepwarm failed on {} {}", admitted.method(), admitted.path(), error);
            return errors.respond(response, HttpStatus.INTERNAL_SERVER_ERROR, "keepwarm: internal error: " + error, null);
        });
    }

    private Mono<Void> route(ProxyExchange exchange) {
        Optional<Endpoint> endpoint = Endpoint.rewritable(exchange.method(), exchange.path());
        if (endpoint.isPresent()) {
            return readBody(exchange, body -> rewriteAndForward(exchange, endpoint.get(), body));
        }
        if (Endpoint.compatible(exchange.method(), exchange.path())) {
            return readBody(exchange, body -> warmThenForward(exchange, body));
        }
        return upstream.forward(exchange, exchange.request().receive().retain(), -1, Forwarding.PLAIN);
    }

    /** Reads the whole body, up to max-request-size (413 beyond it, also when Content-Length announces more). */
    private Mono<Void> readBody(ProxyExchange exchange, Function<byte[], Mono<Void>> then) {
        long max = maxRequestSize.toBytes();
        long declared = contentLength(exchange.request());
        if (declared > max) {
            return tooLarge(exchange);
        }
        return exchange.request().receive()
                .collect(() -> new Body(declared, max), Body::append)
                .map(Body::bytes)
                .flatMap(then)
                .onErrorResume(TooLarge.class, tooBig -> tooLarge(exchange));
    }

    private Mono<Void> rewriteAndForward(ProxyExchange exchange, Endpoint endpoint, byte[] body) {
        RequestRewriter.Rewrite rewrite = rewriter.rewrite(endpoint, body);
        Decision decision = rewrite.decision();
        if (decision != null && decision.refused()) {
            metrics.decision(rewrite.model(), decision.action());
            return errors.respond(exchange.response(), HttpStatus.CONFLICT, decision.refusal(), rewrite.header());
        }
        String model = rewrite.model();
        Forwarding forwarding = Forwarding.PLAIN;
        if (model != null && decision != null) {
            metrics.decision(model, decision.action());
            forwarding = new Forwarding(rewrite.header(), () -> warmer.shield(model), metrics.observe(model, endpoint.tag()));
        }
        return upstream.forward(exchange, bytes(rewrite.body()), rewrite.body().length, forwarding);
    }

    /** /v1 and Anthropic routes: the body goes on unchanged, after the warmer made a warm model resident. */
    private Mono<Void> warmThenForward(ProxyExchange exchange, byte[] body) {
        Optional<String> model = rewriter.model(body);
        Forwarding forwarding = model.map(m -> new Forwarding(null, null, metrics.observe(m, "openai")))
                .orElse(Forwarding.PLAIN);
        Mono<Void> forward = Mono.defer(() -> upstream.forward(exchange, bytes(body), body.length, forwarding));
        return model.map(m -> warmer.compatibleRequest(m, forward)).orElse(forward);
    }

    private static Flux<ByteBuf> bytes(byte[] body) {
        return Flux.just(Unpooled.wrappedBuffer(body));
    }

    private Mono<Void> tooLarge(ProxyExchange exchange) {
        return errors.respond(exchange.response(), HttpStatus.PAYLOAD_TOO_LARGE,
                "keepwarm: request body is larger than keepwarm.proxy.max-request-size (" + readable(maxRequestSize) + ")",
                null);
    }

    /** The declared Content-Length, or -1 (none, or not a number: Netty's decoder has refused those already). */
    private static long contentLength(HttpServerRequest request) {
        String value = request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException notANumber) {
            return -1;
        }
    }

    private static String readable(DataSize size) {
        long bytes = size.toBytes();
        for (String unit : new String[] {"GB", "MB", "KB"}) {
            long scale = DataSize.parse("1" + unit).toBytes();
            if (bytes % scale == 0) {
                return bytes / scale + unit;
            }
        }
        return bytes + "B";
    }

    /**
     * A request body as it arrives, in one array (Jackson reads arrays), never beyond the limit. The array grows with
     * what really arrived (doubling, up to the declared length): a Content-Length alone never reserves memory.
     */
    private static final class Body {

        private static final int FIRST = 64 * 1024;

        private final long limit;
        private byte[] bytes;
        private int size;

        Body(long declared, long max) {
            this.limit = declared >= 0 ? Math.min(declared, max) : max;
            this.bytes = new byte[(int) Math.min(limit, FIRST)];
        }

        void append(ByteBuf buffer) {
            int count = buffer.readableBytes();
            if (size + (long) count > limit) {
                throw new TooLarge(); // Netty frames a body by its Content-Length: only max-request-size gets here
            }
            if (size + count > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(size + (long) count, 2L * bytes.length)));
            }
            buffer.getBytes(buffer.readerIndex(), bytes, size, count);
            size += count;
        }

        byte[] bytes() {
            return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
        }
    }

    /** Marks the body limit so that only it, not an error from Ollama's side, becomes a 413. */
    private static final class TooLarge extends RuntimeException {
        TooLarge() {
            super("request body larger than keepwarm.proxy.max-request-size", null, false, false);
        }
    }
}
