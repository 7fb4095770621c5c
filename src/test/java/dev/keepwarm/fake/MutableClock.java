package dev.keepwarm.fake;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until a test moves it, so expiry can be tested without
 * sleeping. Clocks made by {@link #withZone(ZoneId)} share this clock's time.
 */
public final class MutableClock extends Clock {

    private final AtomicReference<Instant> now;

    private final ZoneId zone;

    /** A clock at {@code start} in UTC. */
    public MutableClock(Instant start) {
        this(start, ZoneOffset.UTC);
    }

    /** A clock at {@code start} in {@code zone}. */
    public MutableClock(Instant start, ZoneId zone) {
        this(new AtomicReference<>(Objects.requireNonNull(start, "start")), Objects.requireNonNull(zone, "zone"));
    }

    private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /** A clock at {@code start} in UTC. */
    public static MutableClock at(Instant start) {
        return new MutableClock(start);
    }

    /** A clock at {@code start} in {@code zone}. */
    public static MutableClock at(Instant start, ZoneId zone) {
        return new MutableClock(start, zone);
    }

    /** A clock at the current system time in UTC. */
    public static MutableClock now() {
        return at(Instant.now());
    }

    /** Moves the clock forward (or back, if {@code amount} is negative). */
    public void advance(Duration amount) {
        Objects.requireNonNull(amount);
        now.updateAndGet(t -> t.plus(amount));
    }

    /** Sets the clock to {@code instant}. */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant));
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId newZone) {
        return new MutableClock(now, newZone);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public String toString() {
        return "MutableClock[" + now.get() + "," + zone + "]";
    }

}
