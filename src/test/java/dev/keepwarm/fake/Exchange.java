package dev.keepwarm.fake;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.JsonNode;

/**
 * One request being answered: writes responses the way Ollama's gin handlers do, and
 * knows whether the answer was finished before the client went away (which makes the
 * request "cancelled").
 */
final class Exchange {

    static final String JSON = "application/json; charset=utf-8";
    static final String NDJSON = "application/x-ndjson";
    static final String EVENT_STREAM = "text/event-stream";

    private enum Outcome {

        OPEN, COMPLETE, KILLED, CANCELLED

    }

    private final HttpServerResponse response;

    private final Channel channel;

    private final Received received;

    private final long startNanos;

    private final Faults faults;

    private final Journal journal;

    private final AtomicReference<Outcome> outcome = new AtomicReference<>(Outcome.OPEN);

    Exchange(HttpServerResponse response, Channel channel, Received received, long startNanos, Faults faults,
            Journal journal) {
        this.response = response;
        this.channel = channel;
        this.received = received;
        this.startNanos = startNanos;
        this.faults = faults;
        this.journal = journal;
    }

    Received received() {
        return received;
    }

    /** System.nanoTime() when the request arrived: Ollama's checkpointStart. */
    long startNanos() {
        return startNanos;
    }

    boolean headersSent() {
        return response.hasSentHeaders();
    }

    /** A JSON answer as gin's c.JSON writes it. */
    Mono<Void> json(int status, JsonNode body) {
        return bytes(status, JSON, Json.bytes(body));
    }

    /** Ollama's native error shape {@code {"error": "..."}}. */
    Mono<Void> error(int status, String message) {
        return json(status, Json.object().put("error", message));
    }

    Mono<Void> text(int status, String contentType, String body) {
        return bytes(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A status with an empty body, as gin's AbortWithStatus. */
    Mono<Void> empty(int status) {
        response.status(status).header(HttpHeaderNames.CONTENT_LENGTH, "0");
        markComplete();
        return response.send();
    }

    Mono<Void> bytes(int status, String contentType, byte[] body) {
        response.status(status).header(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (HttpMethod.HEAD.name().equals(received.method())) {
            response.header(HttpHeaderNames.CONTENT_LENGTH, String.valueOf(body.length));
            markComplete();
            return response.send();
        }
        return response.send(Mono.fromSupplier(() -> {
            markComplete();
            return Unpooled.wrappedBuffer(body);
        })).then();
    }

    /**
     * A streamed 200 answer: each element of {@code body} written and flushed on its own,
     * then {@code tail} (the final chunk). If the test armed dieMidStream for this path,
     * the connection is closed after that many body chunks instead, without the tail.
     */
    Mono<Void> stream(String contentType, Flux<byte[]> body, Mono<byte[]> tail) {
        response.status(200).header(HttpHeaderNames.CONTENT_TYPE, contentType);
        OptionalInt death = faults.takeDeath(received.path());
        if (death.isPresent()) {
            return response.sendHeaders()
                .send(body.take(death.getAsInt()).map(Unpooled::wrappedBuffer), b -> true)
                .then()
                .then(killConnection());
        }
        Flux<byte[]> all = body.concatWith(tail.doOnNext(last -> markComplete()));
        return response.send(all.map(Unpooled::wrappedBuffer), b -> true).then();
    }

    /**
     * The client went away: record the request as cancelled unless its answer was already
     * complete.
     */
    void disconnected() {
        if (outcome.compareAndSet(Outcome.OPEN, Outcome.CANCELLED)) {
            journal.cancelled(received);
        }
    }

    private void markComplete() {
        outcome.compareAndSet(Outcome.OPEN, Outcome.COMPLETE);
    }

    /**
     * Closes the TCP connection mid-response: the client sees a premature close, not an
     * HTTP error.
     */
    private Mono<Void> killConnection() {
        return Mono.<Void>fromRunnable(() -> {
            outcome.set(Outcome.KILLED);
            channel.close();
        }).then(Mono.never());
    }

}
