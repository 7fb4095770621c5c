package dev.keepwarm.fake;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/**
 * The status answer of pull, push and create, as Ollama's {@code streamResponse} and
 * {@code waitForStream} write it. Lines are produced one after the other when they are
 * due, so an effect attached to a line (a model written to the catalogue) happens only if
 * the stream gets that far. The answer ends with its last line, or with an
 * {@code {"error"}} line under HTTP 200 once a line was written; an error before any line
 * gets its own status (500 unless given). {@code "stream":false} answers the last line as
 * one object, or the error with its status.
 */
final class Progress {

    /** Ollama sets this header before gin's c.JSON, which then keeps it (no charset). */
    private static final String JSON = "application/json";

    private record Step(Duration delay, Supplier<ObjectNode> line) {
    }

    private final List<Step> steps = new ArrayList<>();

    private final reactor.core.scheduler.Scheduler timer;

    private String error;

    private int errorStatus = 500;

    /** Delays run on {@code timer}. */
    Progress(reactor.core.scheduler.Scheduler timer) {
        this.timer = timer;
    }

    /** A {@code {"status": status}} line. */
    Progress status(String status) {
        return status(status, Duration.ZERO, () -> {
        });
    }

    /**
     * A status line, due {@code delay} after the previous one, running {@code effect}
     * when it is written.
     */
    Progress status(String status, Duration delay, Runnable effect) {
        return line(delay, () -> {
            effect.run();
            return Json.object().put("status", status);
        });
    }

    /**
     * A line of transfer progress: Go omits {@code completed} while it is zero.
     */
    Progress transfer(String status, Layer layer, long completed, Duration delay) {
        return line(delay, () -> {
            ObjectNode line = Json.object()
                .put("status", status)
                .put("digest", layer.digest())
                .put("total", layer.size());
            return completed == 0 ? line : line.put("completed", completed);
        });
    }

    Progress line(Duration delay, Supplier<ObjectNode> line) {
        if (error == null) {
            steps.add(new Step(delay, line));
        }
        return this;
    }

    /** The answer ends with this error; nothing added later is sent. */
    Progress fail(String message) {
        return fail(500, message);
    }

    Progress fail(int status, String message) {
        if (error == null) {
            error = message;
            errorStatus = status;
        }
        return this;
    }

    /**
     * Answers on {@code exchange}, honouring a stream error the test armed for its path.
     */
    Mono<Void> answer(Exchange exchange, boolean streaming, Faults faults) {
        List<Step> due = steps;
        String failure = error;
        int failureStatus = errorStatus;
        Optional<Faults.StreamError> armed = faults.takeStreamError(exchange.received().path());
        if (armed.isPresent() && (failure == null || armed.get().afterLines() < due.size())) {
            due = steps.subList(0, Math.min(armed.get().afterLines(), steps.size()));
            failure = armed.get().message();
            failureStatus = 500;
        }
        if (due.isEmpty() && failure != null) {
            return exchange.bytes(failureStatus, JSON, Json.bytes(errorLine(failure)));
        }
        if (!streaming) {
            String finalFailure = failure;
            int finalStatus = failureStatus;
            return produce(due).last()
                .flatMap(last -> finalFailure == null ? exchange.bytes(200, JSON, Json.bytes(last))
                        : exchange.bytes(finalStatus, JSON, Json.bytes(errorLine(finalFailure))));
        }
        Flux<byte[]> body;
        Mono<byte[]> tail;
        if (failure == null) {
            body = produce(due.subList(0, due.size() - 1)).map(Json::line);
            tail = produce(due.subList(due.size() - 1, due.size())).next().map(Json::line);
        }
        else {
            String finalFailure = failure;
            body = produce(due).map(Json::line);
            tail = Mono.fromSupplier(() -> Json.line(errorLine(finalFailure)));
        }
        return exchange.stream(Exchange.NDJSON, body, tail);
    }

    private Flux<ObjectNode> produce(List<Step> due) {
        return Flux.fromIterable(List.copyOf(due))
            .concatMap(step -> step.delay().isZero() ? Mono.fromSupplier(step.line())
                    : Mono.delay(step.delay(), timer).map(tick -> step.line().get()));
    }

    private static ObjectNode errorLine(String message) {
        return Json.object().put("error", message);
    }

}
