package dev.keepwarm.metrics;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import dev.keepwarm.fleet.Placement;
import dev.keepwarm.policy.ModelName;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.Policies;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.FleetWarmer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A fleet's placement as gauges, per concrete warm rule: {@code keepwarm_placement_warm}
 * (healthy hosts where the model is loaded now) and {@code keepwarm_placement_wanted}
 * (the copies its replicas ask for among the healthy hosts). Alert when warm &lt; wanted.
 * Registered for the rules at start and after each policy reload, removed with the rule.
 */
final class PlacementMeters {

    private final MeterRegistry registry;

    private final FleetWarmer fleet;

    private final ModelTags models;

    private final Map<String, List<Meter>> registered = new ConcurrentHashMap<>();

    PlacementMeters(MeterRegistry registry, FleetWarmer fleet, ModelTags models, PolicySource policies) {
        this.registry = registry;
        this.fleet = fleet;
        this.models = models;
        reloaded(policies.current());
        policies.addListener(this::reloaded);
    }

    private synchronized void reloaded(Policies current) {
        Set<String> wanted = current.rules()
            .stream()
            .filter(rule -> rule.warm() && rule.concrete())
            .map(ModelRule::match)
            .map(ModelName::normalize)
            .collect(Collectors.toSet());
        registered.keySet()
            .stream()
            .filter(model -> !wanted.contains(model))
            .toList()
            .forEach(model -> registered.remove(model).forEach(registry::remove));
        wanted.forEach(this::register);
    }

    private void register(String model) {
        String tag = models.tag(model);
        if (ModelTags.OTHER.equals(tag) || registered.containsKey(model)) {
            return;
        }
        registered.put(model,
                List.of(Gauge.builder("keepwarm.placement.warm", () -> warm(model))
                    .description("healthy hosts of the fleet where the warm model is loaded now")
                    .tags("model", tag)
                    .register(registry),
                        Gauge.builder("keepwarm.placement.wanted", () -> wanted(model))
                            .description("warm copies the model's replicas ask for among the healthy hosts")
                            .tags("model", tag)
                            .register(registry)));
    }

    private int warm(String model) {
        return fleet.warmOn(model).size();
    }

    private int wanted(String model) {
        return fleet.plan().assignment(model).map(Placement.Assignment::wanted).orElse(0);
    }

}
