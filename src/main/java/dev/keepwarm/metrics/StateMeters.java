package dev.keepwarm.metrics;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.keepwarm.policy.ModelName;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.ModelState;
import dev.keepwarm.warmer.PingListener;
import dev.keepwarm.warmer.PingOutcome;
import dev.keepwarm.warmer.WarmState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Gauges read from the warmer's state at scrape time: residency, expiry and thrashing per warm model, and whether
 * Ollama answers. Registered for every concrete warm rule at start and for every other model a ping touches.
 */
final class StateMeters implements PingListener {

    private final MeterRegistry registry;
    private final WarmState state;
    private final ModelTags models;
    private final Clock clock;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    StateMeters(MeterRegistry registry, WarmState state, ModelTags models, PolicySource policies, Clock clock) {
        this.registry = registry;
        this.state = state;
        this.models = models;
        this.clock = clock;
        Gauge.builder("keepwarm.upstream.up", state, s -> s.upstreamUp() ? 1 : 0)
                .description("1 when the last contact with Ollama succeeded").register(registry);
        for (ModelRule rule : policies.current().rules()) {
            if (rule.warm() && rule.concrete()) {
                register(rule.match());
            }
        }
    }

    @Override
    public void pinged(String model, PingOutcome outcome, @Nullable Duration took, boolean loaded) {
        register(model);
    }

    private void register(String model) {
        String tag = models.tag(model);
        if (ModelTags.OTHER.equals(tag) || !registered.add(tag)) {
            return;
        }
        String name = ModelName.normalize(model);
        Gauge.builder("keepwarm.model.resident", () -> model(name).resident() ? 1 : 0)
                .description("1 when the model is loaded").tags("model", tag).register(registry);
        Gauge.builder("keepwarm.model.expires.in", () -> expiresIn(model(name))).baseUnit("seconds")
                .description("seconds until Ollama unloads the model; +Inf when pinned forever, 0 when not loaded")
                .tags("model", tag).register(registry);
        // present from the start, so increase() sees the first cold start of a pinned model
        io.micrometer.core.instrument.Counter.builder("keepwarm.cold.starts")
                .description("client requests that paid a cold load").tags("model", tag, "pinned", "true")
                .register(registry);
        Gauge.builder("keepwarm.model.thrashing", () -> model(name).thrashing() ? 1 : 0)
                .description("1 while the model is re-loaded too often and its pings back off").tags("model", tag)
                .register(registry);
    }

    private ModelState model(String name) {
        return state.model(name).orElseGet(() -> ModelStateDefaults.UNKNOWN);
    }

    private double expiresIn(ModelState model) {
        if (!model.resident()) {
            return 0;
        }
        if (model.forever()) {
            return Double.POSITIVE_INFINITY;
        }
        return model.expiresAt() == null ? 0 : Math.max(0, Duration.between(clock.instant(), model.expiresAt()).toMillis() / 1000.0);
    }

    /** Holder of the state of a model never seen. */
    private static final class ModelStateDefaults {
        static final ModelState UNKNOWN = new ModelState("", false, null, false, 0, 0, null, null, null, null, 0,
                false, null, null);
    }
}
