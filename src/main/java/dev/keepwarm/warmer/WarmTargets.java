package dev.keepwarm.warmer;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.PolicySource;

/**
 * Which rules the warmer serves right now: warm ones inside their schedule, in rule
 * order, from the current policies.
 */
final class WarmTargets {

    private final PolicySource policies;

    WarmTargets(PolicySource policies) {
        this.policies = policies;
    }

    /** Warm rules whose schedule (if any) is active now, in rule order. */
    List<ModelRule> warmRules(Instant now) {
        return policies.current().warmRules().stream().filter(rule -> rule.warmAt(now)).toList();
    }

    /** The rule governing a model, when it is warm now. */
    Optional<ModelRule> warmRule(String model, Instant now) {
        return policies.current().rule(model).filter(rule -> rule.warmAt(now));
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
