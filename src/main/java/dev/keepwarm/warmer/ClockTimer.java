package dev.keepwarm.warmer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Waits until an instant of keepwarm's {@link Clock}: adaptive mode's pre-warms are
 * planned in its time. A bean of this type replaces the real one (tests that move a clock
 * by hand).
 */
@FunctionalInterface
public interface ClockTimer {

    /** Emits once {@code when} has come (at once when it has passed). */
    Mono<?> at(Instant when);

    /** The clock's time counted by the scheduler's timer. */
    static ClockTimer of(Clock clock, Scheduler scheduler) {
        return when -> {
            Duration delay = Duration.between(clock.instant(), when);
            return Mono.delay(delay.isNegative() ? Duration.ZERO : delay, scheduler);
        };
    }

}
