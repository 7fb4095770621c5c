package dev.keepwarm.warmer;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.Policies;

/** Which rules the warmer serves right now: warm ones, in rule order. */
final class WarmTargets {

    private final Policies policies;

    WarmTargets(Policies policies) {
        this.policies = policies;
    }

    /** Warm rules in rule order. */
    List<ModelRule> warmRules(Instant now) {
        return policies.rules().stream().filter(ModelRule::warm).toList();
    }

    /** The rule governing a model, when it is a warm one. */
    Optional<ModelRule> warmRule(String model, Instant now) {
        return policies.rule(model).filter(ModelRule::warm);
    }

    /** A rule names one model (no glob): the warmer can load it before anyone asks. */
    static boolean concrete(ModelRule rule) {
        return rule.match().indexOf('*') < 0 && rule.match().indexOf('?') < 0;
    }
}
