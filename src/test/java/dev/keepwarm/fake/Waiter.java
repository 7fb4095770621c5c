package dev.keepwarm.fake;

import java.time.Duration;
import java.util.Optional;
import reactor.core.publisher.MonoSink;

/** A request waiting for its model's runner. Guarded by the {@link Scheduler}'s lock. */
final class Waiter {

    enum State {

        QUEUED, LOADING, GRANTED, GONE

    }

    final String key;

    final ModelSpec spec;

    final RunnerOptions options;

    final Optional<Duration> keepAlive;

    final long startNanos;

    final MonoSink<Lease> sink;

    State state = State.QUEUED;

    Runner runner;

    Lease lease;

    Waiter(ModelSpec spec, RunnerOptions options, Optional<Duration> keepAlive, long startNanos, MonoSink<Lease> sink) {
        this.key = ModelNames.key(spec.name());
        this.spec = spec;
        this.options = options;
        this.keepAlive = keepAlive;
        this.startNanos = startNanos;
        this.sink = sink;
    }

}
