package dev.keepwarm.proxy;

import java.util.Optional;
import java.util.function.Function;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;

import dev.keepwarm.metrics.KeepwarmMetrics;
import dev.keepwarm.policy.Decision;
import dev.keepwarm.warmer.Warmer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The proxy's single entry point: every path and method goes to Ollama; the four native routes that carry
 * keep_alive are read whole (up to max-request-size), rewritten by policy, and sent on; everything else streams
 * through unchanged.
 */
final class ProxyHandler implements WebHandler {

    private static final byte[] EMPTY = new byte[0];

    private final RequestRewriter rewriter;
    private final UpstreamCall upstream;
    private final ProxyErrors errors;
    private final DataSize maxRequestSize;
    private final Warmer warmer;
    private final KeepwarmMetrics metrics;

    ProxyHandler(RequestRewriter rewriter, UpstreamCall upstream, ProxyErrors errors, DataSize maxRequestSize,
            Warmer warmer, KeepwarmMetrics metrics) {
        this.warmer = warmer;
        this.metrics = metrics;
        this.rewriter = rewriter;
        this.upstream = upstream;
        this.errors = errors;
        this.maxRequestSize = maxRequestSize;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        Optional<Endpoint> endpoint = Endpoint.rewritable(request.getMethod(), request.getPath().value());
        if (endpoint.isPresent()) {
            return readBody(exchange, body -> rewriteAndForward(exchange, endpoint.get(), body));
        }
        if (Endpoint.compatible(request.getMethod(), request.getPath().value())) {
            return readBody(exchange, body -> warmThenForward(exchange, body));
        }
        return upstream.forward(exchange, request.getBody(), -1, Forwarding.PLAIN);
    }

    /** Reads the whole body, up to max-request-size (413 beyond it). */
    private Mono<Void> readBody(ServerWebExchange exchange, Function<byte[], Mono<Void>> then) {
        ServerHttpRequest request = exchange.getRequest();
        if (request.getHeaders().getContentLength() > maxRequestSize.toBytes()) {
            return tooLarge(exchange);
        }
        return DataBufferUtils.join(request.getBody(), (int) maxRequestSize.toBytes())
                .map(ProxyHandler::drain)
                .defaultIfEmpty(EMPTY)
                .onErrorMap(DataBufferLimitException.class, TooLarge::new)
                .flatMap(then)
                .onErrorResume(TooLarge.class, tooBig -> tooLarge(exchange));
    }

    private Mono<Void> rewriteAndForward(ServerWebExchange exchange, Endpoint endpoint, byte[] body) {
        RequestRewriter.Rewrite rewrite = rewriter.rewrite(endpoint, body);
        Decision decision = rewrite.decision();
        if (decision != null && decision.refused()) {
            metrics.decision(rewrite.model(), decision.action());
            return errors.respond(exchange, HttpStatus.CONFLICT, decision.refusal(), rewrite.header());
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
    private Mono<Void> warmThenForward(ServerWebExchange exchange, byte[] body) {
        Optional<String> model = rewriter.model(body);
        Mono<Void> ready = model.map(warmer::beforeCompatibleRequest).orElse(Mono.empty());
        Forwarding forwarding = model.map(m -> new Forwarding(null, null, metrics.observe(m, "openai")))
                .orElse(Forwarding.PLAIN);
        return ready.then(Mono.defer(() -> upstream.forward(exchange, bytes(body), body.length, forwarding)));
    }

    private static Flux<DataBuffer> bytes(byte[] body) {
        return Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body));
    }

    private Mono<Void> tooLarge(ServerWebExchange exchange) {
        return errors.respond(exchange, HttpStatus.PAYLOAD_TOO_LARGE,
                "keepwarm: request body is larger than keepwarm.proxy.max-request-size (" + readable(maxRequestSize) + ")",
                null);
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

    /** Marks the body limit so that only it, not an error from Ollama's side, becomes a 413. */
    private static final class TooLarge extends RuntimeException {
        TooLarge(Throwable cause) {
            super(cause);
        }
    }

    private static byte[] drain(DataBuffer joined) {
        try {
            byte[] bytes = new byte[joined.readableByteCount()];
            joined.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(joined);
        }
    }
}
