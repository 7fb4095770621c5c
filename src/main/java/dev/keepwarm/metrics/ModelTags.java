package dev.keepwarm.metrics;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import dev.keepwarm.policy.ModelName;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.WarmState;

/**
 * Bounds the {@code model} tag: a model gets its own value only when a rule names it or
 * /api/ps listed it, and only until {@code max} values exist; everything else is
 * {@code other}. A client cannot grow the scrape by inventing model names.
 */
final class ModelTags {

    static final String OTHER = "other";

    private static final int MAX_SPELLINGS = 4096;

    private final PolicySource policies;

    private final Predicate<String> known;

    private final int max;

    private final Set<String> admitted = ConcurrentHashMap.newKeySet();

    /**
     * A client's spelling of an admitted model -> its tag, so a request does not
     * normalise the name again.
     */
    private final Map<String, String> spelled = new ConcurrentHashMap<>();

    ModelTags(PolicySource policies, WarmState state, int max) {
        this(policies, name -> state.model(name).isPresent(), max);
    }

    /**
     * @param known whether the warmer knows a normalized model name (on any host)
     */
    ModelTags(PolicySource policies, Predicate<String> known, int max) {
        this.policies = policies;
        this.known = known;
        this.max = max;
    }

    String tag(String model) {
        String tag = spelled.get(model);
        if (tag != null) {
            return tag;
        }
        String name = ModelName.normalize(model);
        if (!admitted.contains(name)) {
            boolean seen = policies.current().rule(name).isPresent() || known.test(name);
            if (!seen || admitted.size() >= max) {
                return OTHER; // not remembered: the model may be admitted later, when
                              // /api/ps lists it
            }
            admitted.add(name);
        }
        if (spelled.size() < MAX_SPELLINGS) {
            spelled.put(model, name);
        }
        return name;
    }

}
