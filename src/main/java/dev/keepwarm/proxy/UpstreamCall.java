package dev.keepwarm.proxy;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.keepwarm.ollama.Upstream;
import dev.keepwarm.ollama.UpstreamProperties;
import dev.keepwarm.policy.KeepAlive;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.http.HttpStatus;

/**
 * One request to Ollama: same method, path and query, end-to-end headers, the given body; the response is relayed
 * as it arrives. A client that goes away cancels this chain, which closes the upstream connection, so Ollama stops
 * generating (or aborts the load: OLLAMA-API.md, "Forwarding").
 */
final class UpstreamCall {

    private static final Logger log = LoggerFactory.getLogger(UpstreamCall.class);

    private final HttpClient client;
    private final UpstreamProperties upstream;
    private final String hostHeader;
    private final ResponseRelay relay;
    private final ProxyErrors errors;
    private final @Nullable Bulkhead bulkhead;
    private final ForwardedHeaders headers;

    UpstreamCall(Upstream target, ResponseRelay relay, ProxyErrors errors, @Nullable Bulkhead bulkhead,
            ForwardedHeaders headers) {
        this.bulkhead = bulkhead;
        this.headers = headers;
        this.upstream = target.properties();
        this.hostHeader = upstream.hostHeader();
        this.client = target.http().baseUrl(upstream.base());
        this.relay = relay;
        this.errors = errors;
    }

    /**
     * @param contentLength length of a body keepwarm built, or -1 to stream the client's body with its own headers
     */
    Mono<Void> forward(ProxyExchange exchange, Publisher<ByteBuf> body, long contentLength, Forwarding forwarding) {
        boolean sendsBody = hasBody(exchange.request().requestHeaders(), contentLength);
        AtomicBoolean responded = new AtomicBoolean();
        Mono<Void> call = client.request(exchange.request().method())
                .uri(exchange.target())
                .send((request, outbound) -> {
                    headers.toUpstream(exchange, request.requestHeaders(), hostHeader, contentLength);
                    return sendsBody ? outbound.send(body) : outbound;
                })
                .response((response, responseBody) -> {
                    responded.set(true);
                    return relay.relay(exchange, response, responseBody, forwarding);
                })
                .then();
        Duration responseTimeout = upstream.responseTimeout();
        if (responseTimeout != null) {
            // only the wait for headers is limited: a stream, once started, is governed by the idle timeout
            call = call.timeout(Mono.delay(responseTimeout).filter(tick -> !responded.get()).switchIfEmpty(Mono.never()));
        }
        if (bulkhead != null) {
            // the permit is held until the last byte reached the client, and released on cancel or error too
            call = call.transformDeferred(BulkheadOperator.of(bulkhead));
        }
        return call
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

    private static boolean hasBody(HttpHeaders headers, long contentLength) {
        if (contentLength >= 0) {
            return contentLength > 0;
        }
        String declared = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        return (declared != null && !"0".equals(declared.strip())) || headers.contains(HttpHeaderNames.TRANSFER_ENCODING);
    }

    private Mono<Void> fail(ProxyExchange exchange, Throwable error, Forwarding forwarding) {
        String keepAliveHeader = forwarding.keepAliveHeader();
        if (error instanceof BulkheadFullException) {
            forwarding.finished("503");
            return errors.respond(exchange.response(), HttpStatus.SERVICE_UNAVAILABLE,
                    "keepwarm: too many concurrent requests", keepAliveHeader, "Retry-After", "1");
        }
        if (error instanceof TimeoutException) {
            String message = "keepwarm: upstream " + upstream.url() + " sent no response within "
                    + KeepAlive.of(upstream.responseTimeout()) + " (keepwarm.upstream.response-timeout)";
            log.warn(message);
            forwarding.finished("504");
            return errors.respond(exchange.response(), HttpStatus.GATEWAY_TIMEOUT, message, keepAliveHeader);
        }
        Throwable root = root(error);
        String reason = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        String message = unreachable(root)
                ? "keepwarm: upstream " + upstream.url() + " unreachable: " + reason
                : "keepwarm: upstream " + upstream.url() + " failed: " + reason;
        log.warn("{} ({} {})", message, exchange.method(), exchange.path());
        forwarding.finished("502");
        return errors.respond(exchange.response(), HttpStatus.BAD_GATEWAY, message, keepAliveHeader);
    }

    /** No connection to Ollama could be made at all (as against one that broke or answered nonsense). */
    private static boolean unreachable(Throwable root) {
        return root instanceof ConnectException || root instanceof ConnectTimeoutException
                || root instanceof UnknownHostException || root instanceof NoRouteToHostException;
    }

    private static Throwable root(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }
}
