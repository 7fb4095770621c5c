package dev.keepwarm.adaptive;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;

/**
 * The last out-of-bounds idle times of one {@link IdleHistogram}, oldest first, at most
 * {@code capacity} of them, and the forecast taken from them.
 */
final class RecentIdleTimes {

    private final int capacity;

    private final ArrayDeque<Duration> times;

    RecentIdleTimes(int capacity) {
        if (capacity < 0 || capacity > IdleHistogram.MAX_RECENT) {
            throw new IllegalArgumentException("recent out-of-bounds idle times kept must be 0 to "
                    + IdleHistogram.MAX_RECENT + ", not " + capacity);
        }
        this.capacity = capacity;
        this.times = new ArrayDeque<>(capacity);
    }

    void add(Duration idle) {
        if (this.capacity == 0) {
            return;
        }
        if (this.times.size() == this.capacity) {
            this.times.removeFirst();
        }
        this.times.addLast(idle);
    }

    List<Duration> list() {
        return List.copyOf(this.times);
    }

    /**
     * The median (the mean of the middle two for an even count); empty when there are
     * none.
     */
    Optional<Duration> median() {
        if (this.times.isEmpty()) {
            return Optional.empty();
        }
        long[] nanos = this.times.stream().mapToLong(Duration::toNanos).sorted().toArray();
        int middle = nanos.length / 2;
        long median = (nanos.length % 2 == 1) ? nanos[middle]
                : nanos[middle - 1] + (nanos[middle] - nanos[middle - 1]) / 2;
        return Optional.of(Duration.ofNanos(median));
    }

}
