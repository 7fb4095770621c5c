package dev.keepwarm.metrics;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.keepwarm.proxy.ProxyObserver;
import io.netty.buffer.ByteBuf;

/**
 * One proxied request as it passes: the time to its first response byte, its end, and the
 * numbers of Ollama's final object. Each step is recorded at most once, whatever mix of
 * completion, error and cancel happens.
 */
final class RequestObservation implements ProxyObserver.Request {

    private final KeepwarmMetrics metrics;

    private final RequestMeters meters;

    private final long start = System.nanoTime();

    private final ResponseTail tail = new ResponseTail();

    private final AtomicBoolean firstChunk = new AtomicBoolean();

    private final AtomicBoolean finished = new AtomicBoolean();

    private volatile FinalChunk last = FinalChunk.NONE;

    RequestObservation(KeepwarmMetrics metrics, RequestMeters meters) {
        this.metrics = metrics;
        this.meters = meters;
    }

    @Override
    public void chunk(ByteBuf buffer) {
        if (firstChunk.compareAndSet(false, true)) {
            meters.firstChunk(System.nanoTime() - start);
        }
        tail.append(buffer);
    }

    @Override
    public void finish(String status) {
        if (finished.compareAndSet(false, true)) {
            FinalChunk last = "cancelled".equals(status) || "error".equals(status) ? FinalChunk.NONE
                    : tail.finalChunk();
            this.last = last;
            metrics.finished(meters, status, System.nanoTime() - start, last);
        }
    }

    /**
     * Ollama's final numbers once the request finished ({@link FinalChunk#NONE} before,
     * or when it did not complete): what the request's span shows of them.
     */
    FinalChunk last() {
        return last;
    }

}
