package dev.keepwarm.metrics;

import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.ByteBuf;

/**
 * One proxied request as it passes: the time to its first response byte, its end, and the numbers of Ollama's
 * final object. Each step is recorded at most once, whatever mix of completion, error and cancel happens.
 */
public final class RequestObservation {

    private static final String[] STATUSES = new String[600];

    static {
        for (int code = 100; code < STATUSES.length; code++) {
            STATUSES[code] = String.valueOf(code).intern();
        }
    }

    private final KeepwarmMetrics metrics;
    private final RequestMeters meters;
    private final long start = System.nanoTime();
    private final ResponseTail tail = new ResponseTail();
    private final AtomicBoolean firstChunk = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();

    RequestObservation(KeepwarmMetrics metrics, RequestMeters meters) {
        this.metrics = metrics;
        this.meters = meters;
    }

    /** The {@code status} tag of an HTTP status code, without a new string per request. */
    public static String status(int code) {
        return code >= 100 && code < STATUSES.length ? STATUSES[code] : String.valueOf(code);
    }

    /** A buffer of the response is passing to the client. */
    public void chunk(ByteBuf buffer) {
        if (firstChunk.compareAndSet(false, true)) {
            meters.firstChunk(System.nanoTime() - start);
        }
        tail.append(buffer);
    }

    /** The response ended: {@code status} is the HTTP status, or "cancelled" / "error" when it did not complete. */
    public void finish(String status) {
        if (finished.compareAndSet(false, true)) {
            FinalChunk last = "cancelled".equals(status) || "error".equals(status) ? FinalChunk.NONE : tail.finalChunk();
            metrics.finished(meters, status, System.nanoTime() - start, last);
        }
    }
}
