package dev.keepwarm.fake;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request's hold on a runner: the runner stays resident until every lease on it is
 * released.
 */
final class Lease {

    private final Scheduler scheduler;

    private final Runner runner;

    private final long loadNanos;

    private final AtomicBoolean released = new AtomicBoolean();

    Lease(Scheduler scheduler, Runner runner, long loadNanos) {
        this.scheduler = scheduler;
        this.runner = runner;
        this.loadNanos = loadNanos;
    }

    /**
     * Ollama's load_duration: from the handler's start to the runner being handed over.
     */
    long loadNanos() {
        return loadNanos;
    }

    /**
     * Ends the request's hold; the expiry timer of the runner starts when its last lease
     * is released.
     */
    void release() {
        if (released.compareAndSet(false, true)) {
            scheduler.release(runner);
        }
    }

}
