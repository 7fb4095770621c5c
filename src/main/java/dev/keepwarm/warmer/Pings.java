package dev.keepwarm.warmer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.keepwarm.policy.ModelName;
import dev.keepwarm.policy.ModelRule;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The pings under way, at most one per model: the reconcile loop, the /v1 guard,
 * finishing an abandoned load and the actuator share it. Each ping is owned by
 * {@link Subscriptions}, not by its first caller, so a caller that stops waiting (a pass
 * that moves on, a client that leaves) neither cancels it nor lets it be sent twice; and
 * a ping that hangs is visible here with its start time (the wedge detector reads it).
 */
final class Pings {

    /**
     * A ping under way.
     *
     * @param model normalised name
     * @param started when it was sent (the clock's time, for reports)
     * @param startedNanos when it was sent ({@link System#nanoTime()}: how long it waits
     * is real time, not policy time)
     * @param outcome how it ends
     */
    record InFlight(String model, Instant started, long startedNanos, Mono<PingOutcome> outcome) {

        Duration waited() {
            return Duration.ofNanos(System.nanoTime() - startedNanos);
        }
    }

    private final Pinger pinger;

    private final Subscriptions owner;

    private final Clock clock;

    private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();

    Pings(Pinger pinger, Subscriptions owner, Clock clock) {
        this.pinger = pinger;
        this.owner = owner;
        this.clock = clock;
    }

    /**
     * The ping of {@code model} under way, or a new one sent now; the outcome never
     * fails.
     */
    Mono<PingOutcome> ping(String model, ModelRule rule, PingPurpose purpose) {
        String key = ModelName.normalize(model);
        InFlight running = inFlight.get(key);
        if (running != null) {
            return running.outcome();
        }
        Sinks.One<PingOutcome> result = Sinks.one();
        InFlight mine = new InFlight(key, clock.instant(), System.nanoTime(), result.asMono());
        InFlight raced = inFlight.putIfAbsent(key, mine);
        if (raced != null) {
            return raced.outcome();
        }
        owner.own(pinger.ping(model, rule, purpose).doOnNext(outcome -> {
            // first: a waiter that asks again on the outcome sends a new ping
            inFlight.remove(key, mine);
            result.tryEmitValue(outcome);
        }).doFinally(signal -> {
            inFlight.remove(key, mine);
            // disposed at shutdown: waiters are released
            result.tryEmitValue(PingOutcome.SKIPPED);
        }));
        return mine.outcome();
    }

    /** Whether a ping of the model is under way. */
    boolean pinging(String model) {
        return inFlight.containsKey(ModelName.normalize(model));
    }

    /** The pings under way now. */
    List<InFlight> inFlight() {
        return List.copyOf(inFlight.values());
    }

}
