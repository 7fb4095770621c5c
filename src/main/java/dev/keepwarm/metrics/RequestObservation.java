package dev.keepwarm.metrics;

import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * One proxied request as it passes: the time to its first response byte, its end, and the numbers of Ollama's
 * final object. Each step is recorded at most once, whatever mix of completion, error and cancel happens.
 */
public final class RequestObservation {

    private final KeepwarmMetrics metrics;
    private final String model;
    private final String endpoint;
    private final long start = System.nanoTime();
    private final ResponseTail tail = new ResponseTail();
    private final AtomicBoolean firstChunk = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();

    RequestObservation(KeepwarmMetrics metrics, String model, String endpoint) {
        this.metrics = metrics;
        this.model = model;
        this.endpoint = endpoint;
    }

    /** A buffer of the response is passing to the client. */
    public void chunk(DataBuffer buffer) {
        if (firstChunk.compareAndSet(false, true)) {
            metrics.firstChunk(model, endpoint, System.nanoTime() - start);
        }
        tail.append(buffer);
    }

    /** The response ended: {@code status} is the HTTP status, or "cancelled" / "error" when it did not complete. */
    public void finish(String status) {
        if (finished.compareAndSet(false, true)) {
            FinalChunk last = "cancelled".equals(status) || "error".equals(status) ? FinalChunk.NONE : tail.finalChunk();
            metrics.finished(model, endpoint, status, System.nanoTime() - start, last);
        }
    }
}
