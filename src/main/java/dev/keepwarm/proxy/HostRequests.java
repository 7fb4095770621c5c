package dev.keepwarm.proxy;

import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.ByteBufFlux;

/**
 * The client's request sent to one host of a fan-out or an aggregate, with the client's
 * end-to-end headers: its answer either read whole (small JSON answers: tags, ps,
 * version, delete, copy, a non-streamed pull) or handed on as a stream
 * ({@link FanOutStream}).
 */
final class HostRequests {

    /** The largest whole answer read from a host: a /api/tags of thousands of models. */
    static final int MAX_ANSWER = 16 * 1024 * 1024;

    private HostRequests() {
    }

    /**
     * The host's whole answer; a host that could not be reached, or sent more than
     * {@link #MAX_ANSWER}, answers as unreachable. Never fails.
     * @param body the body to send, or null for none
     */
    static Mono<FleetAnswers.HostBody> whole(UpstreamCall host, ProxyExchange exchange, byte @Nullable [] body) {
        return whole(host, exchange, body == null || body.length == 0 ? null : bytes(body),
                body == null ? 0 : body.length);
    }

    /**
     * As {@link #whole(UpstreamCall, ProxyExchange, byte[])}, with a body that streams.
     * @param length the body's length, or -1 for the client's own headers
     */
    static Mono<FleetAnswers.HostBody> whole(UpstreamCall host, ProxyExchange exchange,
            @Nullable Publisher<ByteBuf> body, long length) {
        return host.client().request(exchange.request().method()).uri(exchange.target()).send((request, outbound) -> {
            host.headers().toUpstream(exchange, request.requestHeaders(), host.hostHeader(), length);
            return body == null ? outbound : outbound.send(body);
        })
            .response((response, bytes) -> bytes.collect(Bounded::new, Bounded::add)
                .map(answer -> new FleetAnswers.HostBody(host.host(), response.status().code(), answer.bytes())))
            .next()
            // a host that stops answering does not hold up the fleet's answer
            .timeout(host.idleTimeout())
            .onErrorResume(
                    error -> Mono.just(FleetAnswers.HostBody.unreachable(host.host(), UpstreamCall.root(error))));
    }

    /**
     * The host's answer as a stream: emits the answer when its headers arrived, then
     * completes once its body has been read to the end (or cancelled), which keeps the
     * connection until then. A host that could not be reached answers status 0 with a
     * body that fails with why. Buffers are handed on retained: the reader releases them
     * ({@link FanOutStream} does).
     * @param body the body to send: bytes, or the client's stream (sent to this host
     * only)
     * @param length the body's length, or -1 for the client's own headers
     */
    static Flux<FanOutStream.HostAnswer> streamed(UpstreamCall host, ProxyExchange exchange, Publisher<ByteBuf> body,
            long length) {
        AtomicBoolean answered = new AtomicBoolean();
        return host.client().request(exchange.request().method()).uri(exchange.target()).send((request, outbound) -> {
            host.headers().toUpstream(exchange, request.requestHeaders(), host.hostHeader(), length);
            return outbound.send(body);
        }).response((response, bytes) -> {
            Sinks.Empty<Void> read = Sinks.empty();
            // a host whose stream goes quiet fails (its lines so far were passed on) and
            // the merged stream ends
            Flux<ByteBuf> relayed = retained(bytes).timeout(host.idleTimeout())
                .doFinally(signal -> read.tryEmitEmpty());
            return Flux.just(new FanOutStream.HostAnswer(host.host(), response.status().code(), relayed))
                .concatWith(read.asMono().then(Mono.empty()));
        })
            // its headers within the idle timeout too (Ollama answers a pull at once)
            .timeout(Mono.delay(host.idleTimeout()), answer -> Mono.never())
            .doOnNext(answer -> answered.set(true))
            // exactly one answer per host, whatever happens, or the merge would wait for
            // it
            .onErrorResume(error -> answered.get() ? Flux.empty() : Flux.just(failed(host, UpstreamCall.root(error))))
            .switchIfEmpty(Flux.defer(() -> Flux.just(failed(host, new IllegalStateException("no answer")))));
    }

    private static FanOutStream.HostAnswer failed(UpstreamCall host, Throwable why) {
        return new FanOutStream.HostAnswer(host.host(), 0, Flux.error(why));
    }

    private static Flux<ByteBuf> retained(ByteBufFlux bytes) {
        return bytes.retain();
    }

    /** A whole answer, refused past {@link #MAX_ANSWER}. */
    private static final class Bounded {

        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        void add(ByteBuf chunk) {
            if (bytes.size() + chunk.readableBytes() > MAX_ANSWER) {
                throw new IllegalStateException("answer larger than " + MAX_ANSWER + " bytes");
            }
            byte[] copy = new byte[chunk.readableBytes()];
            chunk.readBytes(copy);
            bytes.writeBytes(copy);
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }

    }

    /** The bytes as a body that can be sent to several hosts, each its own buffer. */
    static Flux<ByteBuf> bytes(byte[] body) {
        return Flux.defer(() -> Flux.just(Unpooled.wrappedBuffer(body)));
    }

}
