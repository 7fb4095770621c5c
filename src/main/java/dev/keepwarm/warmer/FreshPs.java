package dev.keepwarm.warmer;

import java.time.Clock;
import java.util.List;

import dev.keepwarm.ollama.RunningModel;
import reactor.core.publisher.Mono;

/**
 * GET /api/ps answers that are known to be newer than a given moment, shared: callers
 * asking for "an answer that started after t" share the call under way when it started
 * after t, and start one otherwise. So the checks after a burst of /v1 answers cost one
 * or two calls, not one each. Each answer also updates the state.
 */
final class FreshPs {

    private record Call(long startedNanos, Mono<List<RunningModel>> answer) {
    }

    private final Reconciler reconciler;

    private final WarmState state;

    private final Clock clock;

    private volatile Call current = new Call(Long.MIN_VALUE, Mono.empty());

    FreshPs(Reconciler reconciler, WarmState state, Clock clock) {
        this.reconciler = reconciler;
        this.state = state;
        this.clock = clock;
    }

    /**
     * An /api/ps answer to a call that started at or after {@code nanos}
     * ({@link System#nanoTime()}).
     */
    synchronized Mono<List<RunningModel>> startedAfter(long nanos) {
        Call call = current;
        if (call.startedNanos() - nanos >= 0) {
            return call.answer();
        }
        Mono<List<RunningModel>> answer = reconciler.ps()
            .doOnNext(running -> state.observe(running, clock.instant()))
            .cache();
        current = new Call(System.nanoTime(), answer);
        return answer;
    }

}
