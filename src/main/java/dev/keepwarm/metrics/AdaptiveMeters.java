package dev.keepwarm.metrics;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.warmer.KeepAliveLearner;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Adaptive mode's meters: per learned model the keep_alive it now sends and the time it
 * was resident (memory-time, in seconds and in byte-seconds), and the pre-warms by
 * outcome. A model's meters appear when the learner admits it (bounded like the learner,
 * and tagged through {@link ModelTags}: a model beyond max-model-tags has none).
 */
final class AdaptiveMeters {

    private final MeterRegistry registry;

    private final KeepAliveLearner learner;

    private final ModelTags tags;

    private final ToLongFunction<String> residentBytes;

    private final Clock clock;

    private final Map<String, Residence> residences = new ConcurrentHashMap<>();

    /**
     * @param residentBytes the bytes the model holds now across the fleet, 0 when not
     * loaded
     */
    AdaptiveMeters(MeterRegistry registry, KeepAliveLearner learner, ModelTags tags,
            ToLongFunction<String> residentBytes, Clock clock) {
        this.registry = registry;
        this.learner = learner;
        this.tags = tags;
        this.residentBytes = residentBytes;
        this.clock = clock;
        for (KeepAliveLearner.PrewarmOutcome outcome : KeepAliveLearner.PrewarmOutcome.values()) {
            FunctionCounter.builder("keepwarm.prewarm.pings", learner, l -> l.prewarms(outcome))
                .description("adaptive pre-warms by outcome: hit (used while it held the model), miss (the hold ran "
                        + "out unused), late (the model was used before the pre-warm was due), failed")
                .tags("outcome", outcome.tag())
                .register(registry);
        }
        learner.onAdmitted(this::admitted);
    }

    private void admitted(String model) {
        String tag = tags.tag(model);
        if (ModelTags.OTHER.equals(tag) || residences.containsKey(tag)) {
            return;
        }
        Residence residence = new Residence(model);
        if (residences.putIfAbsent(tag, residence) != null) {
            return;
        }
        Gauge.builder("keepwarm.adaptive.keep.alive", () -> keepAlive(model))
            .baseUnit("seconds")
            .description("the keep_alive adaptive mode sends the model now (0: unloaded after each use and "
                    + "pre-warmed); NaN before its first request")
            .tags("model", tag)
            .register(registry);
        FunctionCounter.builder("keepwarm.model.resident", residence, r -> r.read().seconds)
            .baseUnit("seconds")
            .description("seconds a model in adaptive mode was loaded on at least one host (read from /api/ps)")
            .tags("model", tag)
            .register(registry);
        FunctionCounter.builder("keepwarm.model.resident.memory", residence, r -> r.read().byteSeconds)
            .baseUnit("byte.seconds")
            .description(
                    "memory-time a model in adaptive mode held: size_vram times seconds loaded, summed over " + "hosts")
            .tags("model", tag)
            .register(registry);
    }

    private double keepAlive(String model) {
        KeepAlive sent = learner.view(model).map(KeepAliveLearner.ModelView::keepAlive).orElse(null);
        if (sent == null) {
            return Double.NaN;
        }
        return sent.duration().map(d -> d.toNanos() / 1e9).orElse(Double.POSITIVE_INFINITY);
    }

    /**
     * A model's residence, integrated at each read from what the warmer's last /api/ps
     * said: precise to the warmer's interval or the scrape interval, whichever is longer.
     */
    private final class Residence {

        private final String model;

        private Instant last;

        private long bytes;

        double seconds;

        double byteSeconds;

        Residence(String model) {
            this.model = model;
            this.last = clock.instant();
        }

        synchronized Residence read() {
            Instant now = clock.instant();
            double elapsed = Math.max(0, Duration.between(last, now).toNanos() / 1e9);
            if (bytes > 0) {
                seconds += elapsed;
                byteSeconds += elapsed * bytes;
            }
            bytes = residentBytes.applyAsLong(model);
            last = now;
            return this;
        }

    }

}
