package dev.keepwarm.metrics;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import dev.keepwarm.policy.ModelName;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.Policies;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.ModelState;
import dev.keepwarm.warmer.PingListener;
import dev.keepwarm.warmer.PingOutcome;
import dev.keepwarm.warmer.WarmState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.jspecify.annotations.Nullable;

/**
 * Gauges read from the warmer's state at scrape time: whether a model is wanted warm now
 * (its rule is warm and inside its schedule), residency, expiry and thrashing, and
 * whether Ollama answers. A model's gauges exist while a warm rule governs it: registered
 * for every concrete warm rule at start and after each policy reload, and for a model a
 * ping touches; a reload that leaves no warm rule for a model removes them, so alerts do
 * not see a model nobody wants warm.
 */
final class StateMeters implements PingListener {

    private final MeterRegistry registry;

    private final WarmState state;

    private final ModelTags models;

    private final PolicySource policies;

    private final Clock clock;

    /** model tag -> its gauges */
    private final Map<String, List<Meter>> registered = new ConcurrentHashMap<>();

    /** {@code upstream=<host>} on a fleet; none with one Ollama. */
    private final Tags host;

    /** The host's own meters (not per model), removed with the host. */
    private final List<Meter> own = new java.util.ArrayList<>();

    StateMeters(MeterRegistry registry, WarmState state, ModelTags models, PolicySource policies, Clock clock) {
        this(registry, state, models, policies, clock, Tags.empty());
        policies.addListener(this::reloaded);
    }

    /**
     * A fleet host's gauges, tagged {@code upstream}; whoever builds them tells them of
     * policy reloads.
     */
    StateMeters(MeterRegistry registry, WarmState state, ModelTags models, PolicySource policies, Clock clock,
            Tags host) {
        this.host = host;
        this.registry = registry;
        this.state = state;
        this.models = models;
        this.policies = policies;
        this.clock = clock;
        own.add(Gauge.builder("keepwarm.upstream.up", state, s -> s.upstreamUp() ? 1 : 0)
            .description("1 when the last contact with Ollama succeeded")
            .tags(host)
            .register(registry));
        own.add(Gauge.builder("keepwarm.ollama.loads.stalled", state, s -> s.stall().isPresent() ? 1 : 0)
            .description("1 while Ollama answers but its loads do not complete (a wedged scheduler, Ollama #17408)")
            .tags(host)
            .register(registry));
        for (WarmState.Call call : WarmState.Call.values()) {
            own.add(FunctionCounter.builder("keepwarm.warmer.timeouts", state, s -> s.timeouts(call))
                .description("warmer calls to Ollama that got no answer in time (ps-timeout, ping-timeout)")
                .tags("call", call.tag())
                .tags(host)
                .register(registry));
        }
        reloaded(policies.current());
    }

    /** Removes every meter of this host (it left the fleet). */
    synchronized void remove() {
        own.forEach(registry::remove);
        registered.values().forEach(meters -> meters.forEach(registry::remove));
        registered.clear();
    }

    @Override
    public void pinged(String model, PingOutcome outcome, @Nullable Duration took, boolean loaded) {
        register(model);
    }

    @Override
    public void verified(String model, PingOutcome outcome, @Nullable Duration took) {
        register(model);
    }

    /**
     * Drops the gauges of models no warm rule governs any more, and registers those of
     * new concrete warm rules.
     */
    synchronized void reloaded(Policies current) {
        Set<String> keep = registered.keySet()
            .stream()
            .filter(tag -> warmRule(current, tag))
            .collect(Collectors.toSet());
        registered.keySet()
            .stream()
            .filter(tag -> !keep.contains(tag))
            .toList()
            .forEach(tag -> registered.remove(tag).forEach(registry::remove));
        for (ModelRule rule : current.rules()) {
            if (rule.warm() && rule.concrete()) {
                register(rule.match());
            }
        }
    }

    private static boolean warmRule(Policies current, String model) {
        return current.rule(model).map(ModelRule::warm).orElse(false);
    }

    private synchronized void register(String model) {
        String tag = models.tag(model);
        if (ModelTags.OTHER.equals(tag) || registered.containsKey(tag)) {
            return;
        }
        String name = ModelName.normalize(model);
        registered
            .put(tag, List.of(
                    Gauge.builder("keepwarm.model.warm.wanted", () -> wantedNow(name) ? 1 : 0)
                        .description(
                                "1 while the model's rule is warm and inside its schedule: the warmer keeps it loaded")
                        .tags("model", tag)
                        .tags(host)
                        .register(registry),
                    Gauge.builder("keepwarm.model.resident", () -> model(name).resident() ? 1 : 0)
                        .description("1 when the model is loaded")
                        .tags("model", tag)
                        .tags(host)
                        .register(registry),
                    Gauge.builder("keepwarm.model.expires.in", () -> expiresIn(model(name)))
                        .baseUnit("seconds")
                        .description(
                                "seconds until Ollama unloads the model; +Inf when pinned forever, 0 when not loaded")
                        .tags("model", tag)
                        .tags(host)
                        .register(registry),
                    Gauge.builder("keepwarm.model.thrashing", () -> model(name).thrashing() ? 1 : 0)
                        .description("1 while the model is re-loaded too often and its pings back off")
                        .tags("model", tag)
                        .tags(host)
                        .register(registry)));
        // present from the start, so increase() sees the first cold start of a pinned
        // model; a counter, kept on reload
        ColdStarts.counter(registry, tag, true, host);
    }

    private boolean wantedNow(String name) {
        return policies.current().rule(name).map(rule -> rule.warmAt(clock.instant())).orElse(false);
    }

    private ModelState model(String name) {
        return state.model(name).orElseGet(() -> ModelState.unknown(name));
    }

    private double expiresIn(ModelState model) {
        ModelState.Residency residency = model.residency();
        if (!residency.resident()) {
            return 0;
        }
        if (residency.forever()) {
            return Double.POSITIVE_INFINITY;
        }
        Instant expiresAt = residency.expiresAt();
        return expiresAt == null ? 0 : Math.max(0, Duration.between(clock.instant(), expiresAt).toMillis() / 1000.0);
    }

}
