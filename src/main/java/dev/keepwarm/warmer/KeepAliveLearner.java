package dev.keepwarm.warmer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

import dev.keepwarm.adaptive.AdaptiveKeepAlive;
import dev.keepwarm.adaptive.AdaptiveKeepAlive.Choice;
import dev.keepwarm.adaptive.AdaptiveKeepAlive.Reason;
import dev.keepwarm.adaptive.HistogramSnapshot;
import dev.keepwarm.adaptive.IdleHistogram;
import dev.keepwarm.adaptive.MemoryBudget;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.ModelName;
import dev.keepwarm.policy.Policy;
import dev.keepwarm.proxy.KeepAliveAdvisor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * Adaptive mode's memory: per model, the idle times between the end of one request and
 * the start of the next ({@link IdleHistogram}), and from them the keep_alive each
 * request gets and the pre-warm planned after it ({@link AdaptiveKeepAlive}), cut by the
 * memory budget ({@link MemoryBudget}). One learner serves the whole fleet: a model's
 * history is the model's, whichever host served it.
 * <p>
 * Bounded: a model is learned only once a request for it was answered 2xx (Ollama knows
 * it), and at most {@link #MAX_MODELS} are; past that a model gets its rule's keep-alive.
 * Concurrent requests for a model count as one use: an idle time starts when the last of
 * them ends. Thread-safe; nothing blocks (a model's state is locked for a few
 * microseconds per request).
 */
public final class KeepAliveLearner implements KeepAliveAdvisor {

    private static final Logger log = LoggerFactory.getLogger(KeepAliveLearner.class);

    /**
     * After how long without a request of a model starting or ending its requests in
     * flight are taken to have ended (one whose end was lost would otherwise stop the
     * learning).
     */
    static final Duration STALE = Duration.ofHours(1);

    /** The load time the memory budget assumes at least. */
    static final Duration UNMEASURED_LOAD = Duration.ofSeconds(1);

    /** The most models learned at once. */
    public static final int MAX_MODELS = WarmState.MAX_MODELS;

    private final AdaptiveProperties properties;

    private final Clock clock;

    private final Prewarms prewarms;

    private final ToLongFunction<String> residentBytes;

    private final Map<String, Learned> models = new ConcurrentHashMap<>();

    private final Map<PrewarmOutcome, AtomicLong> prewarmed = new java.util.EnumMap<>(PrewarmOutcome.class);

    private final AtomicBoolean warnedFull = new AtomicBoolean();

    private final List<Consumer<String>> admissions = new CopyOnWriteArrayList<>();

    /**
     * @param prewarms loads a model at a planned instant
     * @param residentBytes the bytes a model holds now across the fleet (size_vram from
     * the last /api/ps), 0 when it is not loaded: the memory budget's sizes
     */
    KeepAliveLearner(AdaptiveProperties properties, Clock clock, Prewarms prewarms,
            ToLongFunction<String> residentBytes) {
        this.properties = properties;
        this.clock = clock;
        this.prewarms = prewarms;
        this.residentBytes = residentBytes;
        for (PrewarmOutcome outcome : PrewarmOutcome.values()) {
            prewarmed.put(outcome, new AtomicLong());
        }
    }

    @Override
    public Advice started(String model, Policy policy) {
        String name = ModelName.normalize(model);
        Instant now = clock.instant();
        Learned learned = models.get(name);
        if (learned == null) {
            return new FirstUse(name, policy);
        }
        return learned.start(policy, now);
    }

    /** Every model's learned state, by name. */
    public List<ModelView> views() {
        Instant now = clock.instant();
        return models.values()
            .stream()
            .map(learned -> learned.view(now))
            .sorted(Comparator.comparing(ModelView::model))
            .toList();
    }

    /** One model's learned state; empty when it is not learned. */
    public Optional<ModelView> view(String model) {
        Learned learned = models.get(ModelName.normalize(model));
        return learned == null ? Optional.empty() : Optional.of(learned.view(clock.instant()));
    }

    /**
     * Tells the listener of every model learned from now on, and of those learned already
     * (the meters register a model's gauges so); must not block.
     */
    public void onAdmitted(Consumer<String> listener) {
        admissions.add(listener);
        models.keySet().forEach(listener);
    }

    /** How many planned pre-warms ended so. */
    public long prewarms(PrewarmOutcome outcome) {
        return prewarmed.get(outcome).get();
    }

    /** The models' histories, for the state file. */
    public Map<String, HistogramSnapshot> histories() {
        Map<String, HistogramSnapshot> histories = new java.util.TreeMap<>();
        models.forEach((name, learned) -> histories.put(name, learned.snapshot()));
        return histories;
    }

    /**
     * Adopts histories learned before (the state file): a model's history replaces what
     * is known of it. A history of another bin or range than configured is dropped: it
     * cannot be read in this histogram.
     * @return the models adopted
     */
    public int restore(Map<String, HistogramSnapshot> histories) {
        int adopted = 0;
        for (Map.Entry<String, HistogramSnapshot> entry : histories.entrySet()) {
            HistogramSnapshot history = entry.getValue();
            if (!history.bin().equals(properties.bin()) || !history.range().equals(properties.range())) {
                log.info("Adaptive history of {} has bin {} and range {}, not {} and {}: learned anew", entry.getKey(),
                        history.bin(), history.range(), properties.bin(), properties.range());
                continue;
            }
            Learned learned = admit(ModelName.normalize(entry.getKey()));
            if (learned != null) {
                learned.restore(history);
                adopted++;
            }
        }
        return adopted;
    }

    private @Nullable Learned admit(String name) {
        Learned existing = models.get(name);
        if (existing != null) {
            return existing;
        }
        if (models.size() >= MAX_MODELS) {
            if (warnedFull.compareAndSet(false, true)) {
                log.warn("Adaptive mode learns at most {} models: {} and later ones get their rule's keep-alive",
                        MAX_MODELS, name);
            }
            return null;
        }
        boolean[] created = new boolean[1];
        Learned learned = models.computeIfAbsent(name, key -> {
            created[0] = true;
            return new Learned(key);
        });
        if (created[0]) {
            admissions.forEach(listener -> listener.accept(name));
        }
        return learned;
    }

    /** The first request for a model not learned yet: its rule's keep-alive. */
    private final class FirstUse implements Advice {

        private final String name;

        private final Policy policy;

        private final AtomicBoolean ended = new AtomicBoolean();

        FirstUse(String name, Policy policy) {
            this.name = name;
            this.policy = policy;
        }

        @Override
        public @Nullable KeepAlive keepAlive() {
            return null;
        }

        @Override
        public void ended(String status) {
            if (ended.compareAndSet(false, true) && status.length() == 3 && status.charAt(0) == '2') {
                Learned learned = admit(name);
                if (learned != null) {
                    learned.firstUseEnded(policy, clock.instant());
                }
            }
        }

    }

    /** One request of a learned model. */
    private final class Use implements Advice {

        private final Learned learned;

        private final Policy policy;

        private final KeepAlive keepAlive;

        private final AtomicBoolean ended = new AtomicBoolean();

        Use(Learned learned, Policy policy, KeepAlive keepAlive) {
            this.learned = learned;
            this.policy = policy;
            this.keepAlive = keepAlive;
        }

        @Override
        public KeepAlive keepAlive() {
            return keepAlive;
        }

        @Override
        public void ended(String status) {
            if (ended.compareAndSet(false, true)) {
                learned.end(policy, clock.instant());
            }
        }

    }

    /**
     * A pre-warm planned after a request: loads at {@code at}, holds for {@code hold}.
     */
    private record Planned(Instant at, Duration hold, Disposable.Swap task) {

        boolean holding(Instant now, Duration loadTime) {
            return !now.isAfter(at.plus(loadTime).plus(hold));
        }

    }

    /** What is learned of one model; every field is guarded by the instance's lock. */
    private final class Learned {

        private final String name;

        private IdleHistogram histogram;

        private int inFlight;

        /** When a request of the model last started or ended. */
        private @Nullable Instant lastChange;

        private @Nullable Instant lastEnd;

        private @Nullable Instant firstUse;

        private long uses;

        /** The last keep_alive sent and why. */
        private @Nullable KeepAlive sent;

        private @Nullable Reason reason;

        private @Nullable Planned planned;

        /** The last pre-warm's load time: when the next one starts before the use. */
        private Duration loadTime = Duration.ZERO;

        /** The most the model held when last seen loaded. */
        private long bytes;

        Learned(String name) {
            this.name = name;
            this.histogram = new IdleHistogram(properties.bin(), properties.range());
        }

        synchronized void restore(HistogramSnapshot history) {
            histogram = histogram.merge(IdleHistogram.of(history));
        }

        synchronized HistogramSnapshot snapshot() {
            return histogram.snapshot();
        }

        synchronized void firstUseEnded(Policy policy, Instant now) {
            count(now);
            if (inFlight == 0) {
                lastEnd = (lastEnd == null || now.isAfter(lastEnd)) ? now : lastEnd;
                sent = policy.keepAlive();
                reason = Reason.LEARNING;
            }
        }

        synchronized Advice start(Policy policy, Instant now) {
            used(now);
            if (inFlight > 0 && lastChange != null && Duration.between(lastChange, now).compareTo(STALE) > 0) {
                // an end that never came (a request lost on its way): not in flight for
                // ever
                inFlight = 0;
            }
            lastChange = now;
            if (inFlight == 0 && lastEnd != null) {
                histogram.record(Duration.between(lastEnd, now));
            }
            inFlight++;
            count(now);
            Choice choice = choose(policy, now);
            sent = choice.keepAlive();
            reason = choice.reason();
            return new Use(this, policy, choice.keepAlive());
        }

        synchronized void end(Policy policy, Instant now) {
            inFlight = Math.max(0, inFlight - 1);
            lastChange = now;
            if (inFlight > 0) {
                return;
            }
            lastEnd = now;
            if (sent == null || !sent.isZero()) {
                return;
            }
            Choice plan = choose(policy, now);
            if (plan.prewarmAt() != null && plan.holdFor() != null) {
                plan(policy, plan.prewarmAt(), plan.holdFor());
            }
        }

        private void count(Instant now) {
            uses++;
            if (firstUse == null) {
                firstUse = now;
            }
        }

        /** A request came: what it means for a planned pre-warm. */
        private void used(Instant now) {
            Planned current = planned;
            if (current == null) {
                return;
            }
            planned = null;
            if (now.isBefore(current.at())) {
                current.task().dispose(); // it would have loaded the model too late
                prewarmed.get(PrewarmOutcome.LATE).incrementAndGet();
            }
            else if (current.holding(now, loadTime)) {
                current.task().dispose(); // its expiry check is moot
                prewarmed.get(PrewarmOutcome.HIT).incrementAndGet();
            }
        }

        private void plan(Policy policy, Instant at, Duration hold) {
            Disposable.Swap task = reactor.core.Disposables.swap();
            Planned next = new Planned(at, hold, task);
            planned = next;
            task.update(prewarms.plan(name, policy, at, hold, new Prewarms.Callback() {
                @Override
                public void loaded(Duration took) {
                    loadedBy(next, took);
                }

                @Override
                public void failed() {
                    over(next, PrewarmOutcome.FAILED);
                }

                @Override
                public void expired() {
                    over(next, PrewarmOutcome.MISS);
                }
            }));
        }

        private synchronized void loadedBy(Planned which, Duration took) {
            if (planned == which) {
                loadTime = took;
            }
        }

        private synchronized void over(Planned which, PrewarmOutcome outcome) {
            if (planned == which) {
                planned = null;
                prewarmed.get(outcome).incrementAndGet();
            }
        }

        private Choice choose(Policy policy, Instant now) {
            AdaptiveKeepAlive.Settings settings = properties.settings(policy).withLoadTime(loadTime);
            KeepAlive learning = policy.keepAlive() != null ? policy.keepAlive() : KeepAlive.of(properties.bin());
            Choice choice = AdaptiveKeepAlive.decide(histogram, learning, settings, now, now);
            if (choice.prewarmAt() != null && !policy.allowUnload()) {
                // never keep_alive 0 for a model its rule forbids to unload: held through
                // the window instead
                Instant windowEnd = choice.prewarmAt().plus(loadTime).plus(choice.holdFor());
                choice = new Choice(KeepAlive.of(settings.clamp(Duration.between(now, windowEnd))), choice.reason(),
                        null, null);
            }
            if (properties.memoryBudget() != null && !choice.keepAlive().isZero()
                    && overBudget(now, properties.memoryBudget().toBytes())) {
                choice = choice.budgeted(KeepAlive.of(settings.min()));
            }
            return choice;
        }

        /**
         * Whether the budget cuts this model: the learned models loaded now, and this one
         * (which the request loads), hold more than the budget and this one is of least
         * value per byte. Reads the other models' counters without their locks.
         */
        private boolean overBudget(Instant now, long budget) {
            long held = residentBytes.applyAsLong(name);
            bytes = Math.max(bytes, held);
            List<MemoryBudget.Resident> residents = new ArrayList<>();
            residents.add(new MemoryBudget.Resident(name, bytes, usesPerHour(now), costlier(loadTime), false));
            for (Learned other : models.values()) {
                long otherBytes = other == this ? 0 : residentBytes.applyAsLong(other.name);
                if (otherBytes > 0) {
                    residents.add(new MemoryBudget.Resident(other.name, otherBytes, other.usesPerHour(now),
                            costlier(other.loadTime), false));
                }
            }
            return MemoryBudget.fit(residents, budget).shortens(name);
        }

        /**
         * A load time for the budget's value per byte: one not measured yet (the model
         * was never pre-warmed) counts as {@link #UNMEASURED_LOAD}, so that use and size
         * decide.
         */
        private static Duration costlier(Duration loadTime) {
            return loadTime.compareTo(UNMEASURED_LOAD) < 0 ? UNMEASURED_LOAD : loadTime;
        }

        /** Uses per hour since the first one seen (at least a minute of history). */
        double usesPerHour(Instant now) {
            Instant first = firstUse;
            if (first == null) {
                return 0;
            }
            long millis = Math.max(Duration.ofMinutes(1).toMillis(), Duration.between(first, now).toMillis());
            return uses * 3_600_000.0 / millis;
        }

        synchronized ModelView view(Instant now) {
            Planned current = planned;
            return new ModelView(name, histogram.samples(), histogram.percentile(properties.prewarmPercentile()),
                    histogram.percentile(50), histogram.percentile(properties.keepAlivePercentile()),
                    histogram.outOfBoundsShare(), sent, reason,
                    current != null && current.at().isAfter(now) ? current.at() : null,
                    current != null ? current.hold() : null, loadTime, inFlight, lastEnd);
        }

    }

    /**
     * One model as the state endpoint shows it.
     *
     * @param model the model
     * @param samples idle times recorded
     * @param prewarmPercentile the idle time of the prewarm percentile (upper edge of its
     * bin), empty without idle times in bounds
     * @param median the median idle time, likewise
     * @param keepAlivePercentile the idle time of the keep-alive percentile, likewise
     * @param outOfBoundsShare the share of idle times beyond range
     * @param keepAlive the keep_alive last sent, null before any
     * @param reason why, null before any
     * @param nextPrewarm when the next pre-warm loads the model, null for none
     * @param hold how long that pre-warm holds it, null for none
     * @param loadTime the last pre-warm's load time (a pre-warm starts that much earlier)
     * @param inFlight requests under way now
     * @param lastEnd when the last request ended, null before any (or after a restart)
     */
    public record ModelView(String model, long samples, Optional<Duration> prewarmPercentile, Optional<Duration> median,
            Optional<Duration> keepAlivePercentile, double outOfBoundsShare, @Nullable KeepAlive keepAlive,
            @Nullable Reason reason, @Nullable Instant nextPrewarm, @Nullable Duration hold, Duration loadTime,
            int inFlight, @Nullable Instant lastEnd) {
    }

    /** How a planned pre-warm ended: a bounded set, a metric tag. */
    public enum PrewarmOutcome implements dev.keepwarm.policy.Tagged {

        /** The model was used while the pre-warm held it: a cold start saved. */
        HIT,
        /** The hold ran out unused: memory held for nothing. */
        MISS,
        /**
         * The model was used before the pre-warm was due (the pre-warm was cancelled):
         * that use loaded it cold.
         */
        LATE,
        /** The pre-warm ping failed. */
        FAILED

    }

    /** Loads models at planned instants (the warmer's pings). */
    interface Prewarms {

        /**
         * Loads the model at {@code at} with keep_alive {@code hold}, then, when the hold
         * ran out, says so; disposing the result cancels what has not happened yet.
         */
        Disposable plan(String model, Policy policy, Instant at, Duration hold, Callback callback);

        /** What became of a pre-warm; called once each, from any thread. */
        interface Callback {

            /** The ping answered after {@code took}. */
            void loaded(Duration took);

            /** The ping failed. */
            void failed();

            /** The hold ran out. */
            void expired();

        }

    }

}
