package dev.keepwarm.proxy;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.keepwarm.ollama.Upstream;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import dev.keepwarm.ollama.UpstreamProperties;
import dev.keepwarm.policy.KeepAlive;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.server.ServerWebExchange;

/**
 * One request to Ollama: same method, path and query, end-to-end headers, the given body; the response is relayed
 * as it arrives. A client that goes away cancels this chain, which closes the upstream connection, so Ollama stops
 * generating (or aborts the load: OLLAMA-API.md, "Forwarding").
 */
final class UpstreamCall {

    private static final Logger log = LoggerFactory.getLogger(UpstreamCall.class);

    private final WebClient client;
    private final Upstream target;
    private final UpstreamProperties upstream;
    private final ResponseRelay relay;
    private final ProxyErrors errors;
    private final @Nullable Bulkhead bulkhead;

    UpstreamCall(Upstream target, ResponseRelay relay, ProxyErrors errors, @Nullable Bulkhead bulkhead) {
        this.bulkhead = bulkhead;
        this.client = target.client();
        this.target = target;
        this.upstream = target.properties();
        this.relay = relay;
        this.errors = errors;
    }

    /**
     * @param contentLength length of a body keepwarm built, or -1 to stream the client's body with its own headers
     */
    Mono<Void> forward(ServerWebExchange exchange, Flux<DataBuffer> body, long contentLength, Forwarding forwarding) {
        ServerHttpRequest request = exchange.getRequest();
        String query = request.getURI().getRawQuery();
        URI uri = target.uri(request.getURI().getRawPath() + (query == null ? "" : "?" + query));
        WebClient.RequestBodySpec spec = client.method(request.getMethod()).uri(uri).headers(
                headers -> ForwardedHeaders.toUpstream(request, headers, upstream.hostHeader(), contentLength));
        WebClient.RequestHeadersSpec<?> call = hasBody(request, contentLength)
                ? spec.body(BodyInserters.fromDataBuffers(body)) : spec;
        AtomicBoolean responded = new AtomicBoolean();
        Mono<Void> exchangeMono = call.exchangeToMono(response -> {
            responded.set(true);
            return relay.relay(exchange, response, forwarding);
        });
        Duration responseTimeout = upstream.responseTimeout();
        if (responseTimeout != null) {
            // only the wait for headers is limited: a stream, once started, is governed by the idle timeout
            exchangeMono = exchangeMono.timeout(
                    Mono.delay(responseTimeout).filter(tick -> !responded.get()).switchIfEmpty(Mono.never()));
        }
        if (bulkhead != null) {
            // the permit is held until the last byte reached the client, and released on cancel or error too
            exchangeMono = exchangeMono.transformDeferred(BulkheadOperator.of(bulkhead));
        }
        return exchangeMono
                .doOnCancel(() -> {
                    if (!responded.get()) {
                        forwarding.finished("cancelled");
                        if (forwarding.clientLeftEarly() != null) {
                            forwarding.clientLeftEarly().run();
                        }
                    }
                })
                .onErrorResume(error -> !responded.get(), error -> fail(exchange, error, forwarding));
    }

    private static boolean hasBody(ServerHttpRequest request, long contentLength) {
        HttpHeaders headers = request.getHeaders();
        return contentLength > 0 || headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
    }

    private Mono<Void> fail(ServerWebExchange exchange, Throwable error, Forwarding forwarding) {
        String keepAliveHeader = forwarding.keepAliveHeader();
        if (error instanceof BulkheadFullException) {
            forwarding.finished("503");
            return errors.respond(exchange, HttpStatus.SERVICE_UNAVAILABLE,
                    "keepwarm: too many concurrent requests", keepAliveHeader, HttpHeaders.RETRY_AFTER, "1");
        }
        if (error instanceof TimeoutException) {
            String message = "keepwarm: upstream " + upstream.url() + " sent no response within "
                    + KeepAlive.of(upstream.responseTimeout()) + " (keepwarm.upstream.response-timeout)";
            log.warn(message);
            forwarding.finished("504");
            return errors.respond(exchange, HttpStatus.GATEWAY_TIMEOUT, message, keepAliveHeader);
        }
        String reason = rootMessage(error);
        String message = error instanceof WebClientRequestException
                ? "keepwarm: upstream " + upstream.url() + " unreachable: " + reason
                : "keepwarm: upstream " + upstream.url() + " failed: " + reason;
        log.warn("{} ({} {})", message, exchange.getRequest().getMethod(), exchange.getRequest().getPath());
        forwarding.finished("502");
        return errors.respond(exchange, HttpStatus.BAD_GATEWAY, message, keepAliveHeader);
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }
}
