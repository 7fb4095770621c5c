package dev.keepwarm.proxy;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.keepwarm.metrics.RequestObservation;
import dev.keepwarm.policy.KeepAlive;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.server.ServerWebExchange;

/**
 * Relays Ollama's response to the client as it arrives: status, end-to-end headers and body, never buffered.
 * Streams are flushed per chunk; silence longer than the idle timeout or a stream cut by Ollama ends the
 * response with the format's own error convention instead of a hang or a silent truncation.
 */
final class ResponseRelay {

    private static final Logger log = LoggerFactory.getLogger(ResponseRelay.class);
    private static final String CLOSED = "keepwarm: upstream closed the stream";

    private final Duration idleTimeout;
    private final ProxyErrors errors;
    private final JsonMapper json;

    ResponseRelay(Duration idleTimeout, ProxyErrors errors, JsonMapper json) {
        this.idleTimeout = idleTimeout;
        this.errors = errors;
        this.json = json;
    }

    Mono<Void> relay(ServerWebExchange exchange, ClientResponse upstream, Forwarding forwarding) {
        String keepAliveHeader = forwarding.keepAliveHeader();
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(upstream.statusCode());
        ForwardedHeaders.toClient(upstream.headers().asHttpHeaders(), response.getHeaders());
        if (keepAliveHeader != null) {
            response.getHeaders().set(ProxyErrors.KEEP_ALIVE_HEADER, keepAliveHeader);
        }
        StreamKind kind = StreamKind.of(upstream.headers().contentType().orElse(null));
        Flux<DataBuffer> body = observe(upstream.bodyToFlux(DataBuffer.class).timeout(idleTimeout), forwarding,
                upstream.statusCode().value());
        if (!kind.flushEachChunk()) {
            return response.writeWith(body);
        }
        return response.writeAndFlushWith(guard(body, kind, response).map(Flux::just));
    }

    /** Lets the request's meters see the buffers pass (never holding them) and the way the response ended. */
    private static Flux<DataBuffer> observe(Flux<DataBuffer> body, Forwarding forwarding, int status) {
        RequestObservation observation = forwarding.observation();
        if (observation == null) {
            return body;
        }
        return body.doOnNext(observation::chunk).doFinally(signal -> observation.finish(switch (signal) {
            case ON_COMPLETE -> String.valueOf(status);
            case CANCEL -> "cancelled";
            default -> "error";
        }));
    }

    /** Ends a broken stream with an error the client's parser understands, on a line of its own. */
    private Flux<DataBuffer> guard(Flux<DataBuffer> body, StreamKind kind, ServerHttpResponse response) {
        AtomicInteger lastByte = new AtomicInteger('\n');
        return body.doOnNext(buffer -> {
            if (buffer.readableByteCount() > 0) {
                lastByte.set(buffer.getByte(buffer.readPosition() + buffer.readableByteCount() - 1));
            }
        }).onErrorResume(error -> {
            String message = error instanceof TimeoutException
                    ? "keepwarm: no data from upstream for " + KeepAlive.of(idleTimeout)
                            + " (keepwarm.upstream.idle-timeout)"
                    : CLOSED;
            log.warn("Stream from Ollama ended abnormally ({}): {}", message, error.toString());
            byte[] failure = kind.failure(new String(errors.errorBody(message), java.nio.charset.StandardCharsets.UTF_8),
                    json.writeValueAsString(message), lastByte.get() == '\n');
            return failure == null ? Flux.error(error) : Flux.just(response.bufferFactory().wrap(failure));
        });
    }
}
