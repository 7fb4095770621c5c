package dev.keepwarm.policy;

import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of {@link KeepAliveDecision#decide}: what to do with a request's
 * keep_alive.
 *
 * @param action what was done, for headers and metrics
 * @param rule the governing policy's name, or {@code none}
 * @param send the keep_alive to write into the request; empty leaves the client's field
 * exactly as it was (absent stays absent, an invalid value reaches Ollama untouched)
 * @param refusal for {@link Action#UNLOAD_REFUSED}: the error message for the client
 */
public record Decision(Action action, String rule, Optional<KeepAlive> send, @Nullable String refusal) {

    /** The rule name reported when no policy governs a model. */
    public static final String NO_RULE = "none";

    static Decision pass() {
        return new Decision(Action.PASS, NO_RULE, Optional.empty(), null);
    }

    static Decision of(Policy policy, @Nullable KeepAlive send) {
        return new Decision(Action.valueOf(policy.mode().name()), policy.name(), Optional.ofNullable(send), null);
    }

    static Decision refuse(Policy policy, String model) {
        return new Decision(Action.UNLOAD_REFUSED, policy.name(), Optional.empty(),
                "model '" + model + "' is pinned by keepwarm policy '" + policy.name() + "'; unload refused");
    }

    public boolean refused() {
        return action == Action.UNLOAD_REFUSED;
    }
}
