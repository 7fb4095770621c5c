package dev.keepwarm.warmer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.context.SmartLifecycle;

/**
 * Runs the reconcile pass forever: at start (the preload, which does not delay
 * readiness), then after each jittered interval or an explicit wake-up. Passes never
 * overlap: the next wait starts when a pass has ended.
 */
final class WarmerLoop implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WarmerLoop.class);

    private final Supplier<Mono<Void>> pass;

    private final Duration interval;

    private final WarmTargets targets;

    private final Clock clock;

    private final Subscriptions owner;

    private final Sinks.Many<Boolean> wake = Sinks.many().multicast().directBestEffort();

    private final AtomicBoolean wakePending = new AtomicBoolean();

    private volatile @Nullable Disposable loop;

    WarmerLoop(Supplier<Mono<Void>> pass, Duration interval, WarmTargets targets, Clock clock, Subscriptions owner) {
        this.owner = owner;
        this.pass = pass;
        this.interval = interval;
        this.targets = targets;
        this.clock = clock;
    }

    @Override
    public void start() {
        log.info("Warmer started: reconciling every {} s (+-10%)", interval.toSeconds());
        loop = owner.own(Mono.defer(pass).onErrorResume(error -> {
            log.warn("Reconcile pass failed", error);
            return Mono.empty();
        }).then(Mono.defer(this::pause)).repeat().then());
    }

    /**
     * Ends the current wait and reconciles now (policy change, actuator request, outage
     * over).
     */
    void reconcileNow() {
        wakePending.set(true);
        wake.tryEmitNext(Boolean.TRUE);
    }

    private Mono<Void> pause() {
        if (wakePending.getAndSet(false)) {
            return Mono.empty();
        }
        return Mono.firstWithSignal(Mono.delay(nextWait()).then(), wake.asFlux().next().then())
            .doFinally(signal -> wakePending.set(false));
    }

    /**
     * The jittered interval, or less when a schedule window opens sooner: the first user
     * of the day finds it warm.
     */
    private Duration nextWait() {
        Duration wait = jittered();
        Instant now = clock.instant();
        Optional<Instant> windowStart = targets.nextWindowStart(now);
        if (windowStart.isPresent()) {
            Duration untilStart = Duration.between(now, windowStart.get()).plusMillis(10);
            if (untilStart.compareTo(wait) < 0) {
                return untilStart.isNegative() ? Duration.ZERO : untilStart;
            }
        }
        return wait;
    }

    private Duration jittered() {
        // replicas do not align
        double factor = 0.9 + ThreadLocalRandom.current().nextDouble() * 0.2;
        return Duration.ofNanos((long) (interval.toNanos() * factor));
    }

    @Override
    public void stop() {
        Disposable running = loop;
        if (running != null) {
            running.dispose();
        }
        loop = null;
    }

    @Override
    public boolean isRunning() {
        return loop != null;
    }

}
