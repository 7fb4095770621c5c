package dev.keepwarm.proxy;

import java.util.Optional;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;

import dev.keepwarm.policy.Decision;
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

    ProxyHandler(RequestRewriter rewriter, UpstreamCall upstream, ProxyErrors errors, DataSize maxRequestSize) {
        this.rewriter = rewriter;
        this.upstream = upstream;
        this.errors = errors;
        this.maxRequestSize = maxRequestSize;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        Optional<Endpoint> endpoint = Endpoint.rewritable(request.getMethod(), request.getPath().value());
        if (endpoint.isEmpty()) {
            return upstream.forward(exchange, request.getBody(), -1, null);
        }
        if (request.getHeaders().getContentLength() > maxRequestSize.toBytes()) {
            return tooLarge(exchange);
        }
        return DataBufferUtils.join(request.getBody(), (int) maxRequestSize.toBytes())
                .map(ProxyHandler::drain)
                .defaultIfEmpty(EMPTY)
                .flatMap(body -> rewriteAndForward(exchange, endpoint.get(), body))
                .onErrorResume(DataBufferLimitException.class, tooBig -> tooLarge(exchange));
    }

    private Mono<Void> rewriteAndForward(ServerWebExchange exchange, Endpoint endpoint, byte[] body) {
        RequestRewriter.Rewrite rewrite = rewriter.rewrite(endpoint, body);
        Decision decision = rewrite.decision();
        if (decision != null && decision.refused()) {
            return errors.respond(exchange, HttpStatus.CONFLICT, decision.refusal(), rewrite.header());
        }
        DataBuffer buffer = DefaultDataBufferFactory.sharedInstance.wrap(rewrite.body());
        return upstream.forward(exchange, Flux.just(buffer), rewrite.body().length, rewrite.header());
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
