package dev.keepwarm.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * The configured policies in order: finds the one that governs a model (first matching
 * rule, else the default) at a given time. Immutable; the policies in effect come from
 * {@link PolicySource#current()}.
 */
public final class Policies {

    private static final int MAX_REMEMBERED = 4096;

    private final List<ModelRule> rules;

    private final List<ModelMatcher> matchers;

    private final List<ModelRule> warmRules;

    private final @Nullable DefaultPolicy defaultPolicy;

    /**
     * Model name as a client wrote it -> its first matching rule: every proxied request
     * asks, the rules never change.
     */
    private final Map<String, Optional<ModelRule>> matched = new ConcurrentHashMap<>();

    public Policies(PolicyProperties properties) {
        this.rules = properties.models();
        this.matchers = rules.stream().map(rule -> new ModelMatcher(rule.match())).toList();
        this.warmRules = rules.stream().filter(ModelRule::warm).toList();
        this.defaultPolicy = properties.defaultPolicy();
    }

    /**
     * The first rule matching the model, as configured (its schedule not applied); no
     * default.
     */
    public Optional<ModelRule> rule(String model) {
        Optional<ModelRule> known = matched.get(model);
        if (known != null) {
            return known;
        }
        Optional<ModelRule> found = match(model);
        // clients may send any number of names: the memory stays bounded
        if (matched.size() < MAX_REMEMBERED) {
            matched.put(model, found);
        }
        return found;
    }

    private Optional<ModelRule> match(String model) {
        String normalized = ModelName.normalize(model);
        for (int i = 0; i < rules.size(); i++) {
            if (matchers.get(i).matches(normalized)) {
                return Optional.of(rules.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * The policy governing the model at the instant: its first matching rule, else the
     * default, else none (pass through). A rule outside its schedule comes back as it
     * applies off hours: not warm, with the schedule's off-hours keep-alive in place of
     * its own.
     */
    public Optional<Policy> forModel(String model, Instant now) {
        return rule(model).<Policy>map(rule -> rule.at(now)).or(() -> Optional.ofNullable(defaultPolicy));
    }

    public List<ModelRule> rules() {
        return rules;
    }

    /**
     * The rules with {@code warm: true}, in order, whatever their schedule says now: the
     * warmer asks each rule's {@link ModelRule#warmAt} and {@link Schedule#nextStart}.
     */
    public List<ModelRule> warmRules() {
        return warmRules;
    }

    public Optional<DefaultPolicy> defaultPolicy() {
        return Optional.ofNullable(defaultPolicy);
    }

    /**
     * Same rules in the same order and the same default: a reload that changes nothing is
     * not a change.
     */
    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof Policies policies && rules.equals(policies.rules)
                && Objects.equals(defaultPolicy, policies.defaultPolicy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rules, defaultPolicy);
    }

    @Override
    public String toString() {
        return rules.size() + (rules.size() == 1 ? " rule" : " rules")
                + (defaultPolicy == null ? ", no default" : ", a default");
    }

}
