package dev.keepwarm.warmer;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.keepwarm.policy.ModelName;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.PolicySource;
import org.jspecify.annotations.Nullable;

/**
 * Which rules one host's warmer serves right now: warm ones inside their schedule, in
 * rule order, from the current policies. On a fleet, a rule that names one model is
 * served only by the hosts its placement chose ({@link #placeOn}); a glob keeps whatever
 * it covers pinned wherever that is loaded.
 */
final class WarmTargets {

    private final PolicySource policies;

    /** The normalized models placed on this host; null: every model (one host). */
    private volatile @Nullable Set<String> placed;

    WarmTargets(PolicySource policies) {
        this.policies = policies;
    }

    /** From now on this host serves the concrete rules of these models only. */
    void placeOn(Set<String> models) {
        placed = Set.copyOf(models);
    }

    /** Warm rules whose schedule (if any) is active now, in rule order. */
    List<ModelRule> warmRules(Instant now) {
        return policies.current().warmRules().stream().filter(rule -> rule.warmAt(now) && servedHere(rule)).toList();
    }

    /** The rule governing a model, when it is warm now (and placed here). */
    Optional<ModelRule> warmRule(String model, Instant now) {
        return policies.current().rule(model).filter(rule -> rule.warmAt(now) && servedHere(rule));
    }

    /** Every warm rule active now, wherever it is placed: what a fleet places. */
    List<ModelRule> fleetRules(Instant now) {
        return policies.current().warmRules().stream().filter(rule -> rule.warmAt(now)).toList();
    }

    /** The rule governing a model when it is warm now, wherever it is placed. */
    Optional<ModelRule> fleetRule(String model, Instant now) {
        return policies.current().rule(model).filter(rule -> rule.warmAt(now));
    }

    private boolean servedHere(ModelRule rule) {
        Set<String> models = placed;
        return models == null || !rule.concrete() || models.contains(ModelName.normalize(rule.match()));
    }

    /**
     * The earliest start of a warm rule's schedule window after now, so the loop can
     * preload at window start.
     */
    Optional<Instant> nextWindowStart(Instant now) {
        return policies.current()
            .warmRules()
            .stream()
            .filter(rule -> rule.schedule() != null)
            .map(rule -> rule.schedule().nextStart(now))
            .flatMap(Optional::stream)
            .min(Instant::compareTo);
    }

}
