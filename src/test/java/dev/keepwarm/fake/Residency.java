package dev.keepwarm.fake;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runners in memory, one per model, and the rules for leaving it: a runner is
 * resident while it loads, while requests are in flight, or until its expiry passes on
 * the injected clock. Guarded by the {@link Scheduler}'s lock.
 */
final class Residency {

    private final Clock clock;

    private final Map<String, Runner> runners = new LinkedHashMap<>();

    /** The stays that ended, in the order they ended; cleared by {@link #clear()}. */
    private final List<ResidencyInterval> ended = new ArrayList<>();

    Residency(Clock clock) {
        this.clock = clock;
    }

    /** The resident runner of a model, or null. */
    Runner get(String key) {
        purgeExpired();
        return runners.get(key);
    }

    void add(Runner runner) {
        runners.put(runner.key, runner);
    }

    void remove(Runner runner) {
        if (runners.remove(runner.key, runner)) {
            Instant now = clock.instant();
            ended.add(runner.interval(now, now));
        }
    }

    void clear() {
        runners.clear();
        ended.clear();
    }

    /**
     * Every stay in memory since the last {@link #clear()}: the ended ones in the order
     * they ended, then the resident runners (unloaded null).
     */
    List<ResidencyInterval> log() {
        purgeExpired();
        Instant now = clock.instant();
        List<ResidencyInterval> all = new ArrayList<>(ended);
        runners.values().forEach(r -> all.add(r.interval(null, now)));
        return all;
    }

    /**
     * Evicts idle runners, shortest keep_alive first (forever counts as longest, but an
     * idle pinned runner can still go), until one more fits under {@code maxLoaded}.
     * @return false when every runner is busy and the load must wait
     */
    boolean makeRoom(int maxLoaded) {
        purgeExpired();
        while (runners.size() >= maxLoaded) {
            Optional<Runner> victim = runners.values()
                .stream()
                .filter(Runner::idle)
                .min(Comparator.comparingLong(r -> KeepAlive.rank(r.keepAlive)));
            if (victim.isEmpty()) {
                return false;
            }
            remove(victim.get());
        }
        return true;
    }

    /**
     * What /api/ps lists now: resident runners (loading ones included), latest expiry
     * first.
     */
    List<LoadedModel> snapshot() {
        purgeExpired();
        Instant now = clock.instant();
        return runners.values()
            .stream()
            .map(r -> r.snapshot(now))
            .sorted(Comparator.comparing(LoadedModel::expiresAt).reversed())
            .toList();
    }

    private void purgeExpired() {
        Instant now = clock.instant();
        runners.values().removeIf(r -> {
            if (!r.expired(now)) {
                return false;
            }
            // it left memory at its expiry, whenever the fake looked
            ended.add(r.interval(r.expiresAt, now));
            return true;
        });
    }

}
