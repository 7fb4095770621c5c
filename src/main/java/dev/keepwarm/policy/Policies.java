package dev.keepwarm.policy;

import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/** The configured policies in order: finds the one that governs a model (first matching rule, else the default). */
public final class Policies {

    private final List<ModelRule> rules;
    private final List<ModelMatcher> matchers;
    private final @Nullable DefaultPolicy defaultPolicy;

    public Policies(PolicyProperties properties) {
        this.rules = properties.models();
        this.matchers = rules.stream().map(rule -> new ModelMatcher(rule.match())).toList();
        this.defaultPolicy = properties.defaultPolicy();
    }

    /** The first rule matching the model; no default. */
    public Optional<ModelRule> rule(String model) {
        String normalized = ModelName.normalize(model);
        for (int i = 0; i < rules.size(); i++) {
            if (matchers.get(i).matches(normalized)) {
                return Optional.of(rules.get(i));
            }
        }
        return Optional.empty();
    }

    /** The policy governing the model: its first matching rule, else the default, else none (pass through). */
    public Optional<Policy> forModel(String model) {
        return rule(model).<Policy>map(rule -> rule).or(() -> Optional.ofNullable(defaultPolicy));
    }

    public List<ModelRule> rules() {
        return rules;
    }

    public Optional<DefaultPolicy> defaultPolicy() {
        return Optional.ofNullable(defaultPolicy);
    }
}
