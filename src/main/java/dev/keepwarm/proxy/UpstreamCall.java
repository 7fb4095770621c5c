package dev.keepwarm.proxy;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import dev.keepwarm.ollama.OllamaConnection;
import dev.keepwarm.ollama.TlsFailure;
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
 * One request to Ollama: same method, path and query, end-to-end headers, the given body;
 * the response is relayed as it arrives. A client that goes away cancels this chain,
 * which closes the upstream connection, so Ollama stops generating (or aborts the load:
 * OLLAMA-API.md, "Forwarding").
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

    private final String name;

    private final URI url;

    UpstreamCall(OllamaConnection target, String name, ResponseRelay relay, ProxyErrors errors,
            @Nullable Bulkhead bulkhead, ForwardedHeaders headers) {
        this.bulkhead = bulkhead;
        this.headers = headers;
        this.upstream = target.properties();
        this.name = name;
        this.url = target.url();
        this.hostHeader = target.hostHeader();
        this.client = target.http().baseUrl(target.base());
        this.relay = relay;
        this.errors = errors;
    }

    /** The host's name: the X-Keepwarm-Upstream value of its answers. */
    String host() {
        return name;
    }

    /** The host's URL. */
    URI url() {
        return url;
    }

    /** The client bound to this host's base URL. */
    HttpClient client() {
        return client;
    }

    /** host:port of this host, for the Host header. */
    String hostHeader() {
        return hostHeader;
    }

    /**
     * The longest silence allowed within an answer
     * ({@code keepwarm.upstream.idle-timeout}).
     */
    Duration idleTimeout() {
        return upstream.idleTimeout();
    }

    /** The headers a request sends on. */
    ForwardedHeaders headers() {
        return headers;
    }

    /**
     * @param contentLength length of a body keepwarm built, or -1 to stream the client's
     * body with its own headers
     */
    Mono<Void> forward(ProxyExchange exchange, Publisher<ByteBuf> body, long contentLength, RequestExtras extras) {
        return forward(exchange, body, contentLength, extras, null);
    }

    /**
     * @param unreachable when no connection to this host could be made (nothing was
     * sent), what to do instead, such as the next host; null answers 502
     */
    Mono<Void> forward(ProxyExchange exchange, Publisher<ByteBuf> body, long contentLength, RequestExtras extras,
            @Nullable Function<Throwable, Mono<Void>> unreachable) {
        AtomicBoolean responded = new AtomicBoolean();
        Mono<Void> call = withinBulkhead(
                withResponseTimeout(send(exchange, body, contentLength, extras, responded), responded));
        return call.doOnCancel(() -> {
            if (!responded.get()) {
                extras.finished("cancelled");
                if (extras.clientLeftEarly() != null) {
                    extras.clientLeftEarly().run();
                }
            }
        }).onErrorResume(error -> !responded.get(), error -> {
            if (unreachable != null && unreachable(root(error))) {
                return unreachable.apply(error);
            }
            return fail(exchange, error, extras);
        });
    }

    /**
     * Sends the request and relays the response; {@code responded} is set when Ollama's
     * headers arrived.
     */
    private Mono<Void> send(ProxyExchange exchange, Publisher<ByteBuf> body, long contentLength, RequestExtras extras,
            AtomicBoolean responded) {
        boolean sendsBody = hasBody(exchange.request().requestHeaders(), contentLength);
        return client.request(exchange.request().method()).uri(exchange.target()).send((request, outbound) -> {
            headers.toUpstream(exchange, request.requestHeaders(), hostHeader, contentLength);
            return sendsBody ? outbound.send(body) : outbound;
        }).response((response, responseBody) -> {
            responded.set(true);
            return relay.relay(exchange, response, responseBody, extras, name);
        }).then();
    }

    /**
     * Limits only the wait for Ollama's headers: a stream, once started, is governed by
     * the idle timeout.
     */
    private Mono<Void> withResponseTimeout(Mono<Void> call, AtomicBoolean responded) {
        Duration responseTimeout = upstream.responseTimeout();
        if (responseTimeout == null) {
            return call;
        }
        return call.timeout(Mono.delay(responseTimeout).filter(tick -> !responded.get()).switchIfEmpty(Mono.never()));
    }

    /**
     * Holds a permit until the last byte reached the client; it is released on cancel or
     * error too.
     */
    private Mono<Void> withinBulkhead(Mono<Void> call) {
        return bulkhead == null ? call : call.transformDeferred(BulkheadOperator.of(bulkhead));
    }

    static boolean hasBody(HttpHeaders headers, long contentLength) {
        if (contentLength >= 0) {
            return contentLength > 0;
        }
        String declared = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        return (declared != null && !"0".equals(declared.strip()))
                || headers.contains(HttpHeaderNames.TRANSFER_ENCODING);
    }

    /** Answers a request that got no response from Ollama, in Ollama's error shape. */
    private Mono<Void> fail(ProxyExchange exchange, Throwable error, RequestExtras extras) {
        String keepAliveHeader = extras.keepAliveHeader();
        if (error instanceof BulkheadFullException) {
            extras.finished("503");
            return errors.respond(exchange.response(), HttpStatus.SERVICE_UNAVAILABLE,
                    "keepwarm: too many concurrent requests", keepAliveHeader, "Retry-After", "1",
                    ProxyErrors.UPSTREAM_HEADER, name);
        }
        if (error instanceof TimeoutException) {
            String message = "keepwarm: upstream " + url + " sent no response within "
                    + KeepAlive.of(upstream.responseTimeout()) + " (keepwarm.upstream.response-timeout)";
            log.warn(message);
            extras.finished("504");
            return errors.respond(exchange.response(), HttpStatus.GATEWAY_TIMEOUT, message, keepAliveHeader,
                    ProxyErrors.UPSTREAM_HEADER, name);
        }
        Throwable root = root(error);
        String tls = TlsFailure.describe(error);
        String reason = tls != null ? tls
                : root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        String message = unreachable(root) ? "keepwarm: upstream " + url + " unreachable: " + reason
                : "keepwarm: upstream " + url + " failed: " + reason;
        log.warn("{} ({} {})", message, exchange.method(), exchange.path());
        extras.finished("502");
        return errors.respond(exchange.response(), HttpStatus.BAD_GATEWAY, message, keepAliveHeader,
                ProxyErrors.UPSTREAM_HEADER, name);
    }

    /**
     * No connection to Ollama could be made at all (as against one that broke or answered
     * nonsense).
     */
    static boolean unreachable(Throwable root) {
        return root instanceof ConnectException || root instanceof ConnectTimeoutException
                || root instanceof UnknownHostException || root instanceof NoRouteToHostException;
    }

    static Throwable root(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

}
