package dev.keepwarm.proxy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.keepwarm.policy.KeepAlive;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * Relays Ollama's response to the client as it arrives: status, end-to-end headers and
 * body, never buffered. Streams are flushed per chunk; silence longer than the idle
 * timeout or a stream cut by Ollama ends the response with the format's own error
 * convention instead of a hang or a silent truncation.
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

    Mono<Void> relay(ProxyExchange exchange, HttpClientResponse upstream, ByteBufFlux upstreamBody,
            RequestExtras extras, String host) {
        String keepAliveHeader = extras.keepAliveHeader();
        HttpServerResponse response = exchange.response();
        response.status(upstream.status());
        ForwardedHeaders.toClient(upstream.responseHeaders(), response.responseHeaders());
        response.responseHeaders().set(ProxyErrors.UPSTREAM_HEADER, host);
        if (keepAliveHeader != null) {
            response.responseHeaders().set(ProxyErrors.KEEP_ALIVE_HEADER, keepAliveHeader);
        }
        StreamKind kind = StreamKind.of(upstream.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE));
        // retained: each buffer is written to the client's channel after the upstream's
        // read loop moved on; the
        // server's send releases it once written, or when it is discarded by a cancel
        Flux<ByteBuf> body = observe(upstreamBody.retain().timeout(idleTimeout), extras.observation(),
                upstream.status().code());
        if (!kind.flushEachChunk()) {
            return response.send(body).then();
        }
        return response.send(guard(body, kind), buffer -> true).then();
    }

    /**
     * Lets the request's meters see the buffers pass (never holding them) and the way the
     * response ended.
     */
    private static Flux<ByteBuf> observe(Flux<ByteBuf> body, ProxyObserver.Request observation, int status) {
        if (observation == ProxyObserver.Request.NONE) {
            return body;
        }
        return body.doOnNext(observation::chunk).doFinally(signal -> observation.finish(switch (signal) {
            case ON_COMPLETE -> StatusTags.of(status);
            case CANCEL -> "cancelled";
            default -> "error";
        }));
    }

    /**
     * Ends a broken stream with an error the client's parser understands, on a line of
     * its own.
     */
    private Flux<ByteBuf> guard(Flux<ByteBuf> body, StreamKind kind) {
        AtomicInteger lastByte = new AtomicInteger('\n');
        return body.doOnNext(buffer -> {
            if (buffer.isReadable()) {
                lastByte.set(buffer.getByte(buffer.writerIndex() - 1));
            }
        }).onErrorResume(error -> {
            String message = error instanceof TimeoutException ? "keepwarm: no data from upstream for "
                    + KeepAlive.of(idleTimeout) + " (keepwarm.upstream.idle-timeout)" : CLOSED;
            log.warn("Stream from Ollama ended abnormally ({}): {}", message, error.toString());
            byte[] failure = kind.failure(new String(errors.errorBody(message), StandardCharsets.UTF_8),
                    json.writeValueAsString(message), lastByte.get() == '\n');
            return failure == null ? Flux.error(error) : Flux.just(Unpooled.wrappedBuffer(failure));
        });
    }

}
