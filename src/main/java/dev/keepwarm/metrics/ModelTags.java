package dev.keepwarm.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.keepwarm.policy.ModelName;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.WarmState;

/**
 * Bounds the {@code model} tag: a model gets its own value only when a rule names it or /api/ps listed it, and
 * only until {@code max} values exist; everything else is {@code other}. A client cannot grow the scrape by
 * inventing model names.
 */
final class ModelTags {

    static final String OTHER = "other";

    private final PolicySource policies;
    private final WarmState state;
    private final int max;
    private final Set<String> admitted = ConcurrentHashMap.newKeySet();

    ModelTags(PolicySource policies, WarmState state, int max) {
        this.policies = policies;
        this.state = state;
        this.max = max;
    }

    String tag(String model) {
        String name = ModelName.normalize(model);
        if (admitted.contains(name)) {
            return name;
        }
        boolean known = policies.current().rule(name).isPresent() || state.model(name).isPresent();
        if (known && admitted.size() < max) {
            admitted.add(name);
            return name;
        }
        return OTHER;
    }
}
