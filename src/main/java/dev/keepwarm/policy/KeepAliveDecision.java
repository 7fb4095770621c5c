package dev.keepwarm.policy;

import org.jspecify.annotations.Nullable;

/**
 * The keep_alive decision: a pure function of the governing policy, the client's value
 * and whether the request is an explicit unload. No I/O, no JSON, no Spring (STYLE.md,
 * "The decision is a pure function").
 */
public final class KeepAliveDecision {

    private KeepAliveDecision() {
    }

    /**
     * @param model the model as the client named it (for the refusal message)
     * @param policy the governing policy, or null when no rule and no default apply
     * @param client what the client sent
     * @param emptyPrompt whether the request has no prompt, messages or input: with
     * keep_alive 0 it is an explicit unload (OLLAMA-API.md, "Load-only and unload
     * requests")
     */
    public static Decision decide(String model, @Nullable Policy policy, ClientKeepAlive client, boolean emptyPrompt) {
        return decide(model, policy, client, emptyPrompt, null);
    }

    /**
     * {@link #decide(String, Policy, ClientKeepAlive, boolean)} with what adaptive mode
     * learned.
     * @param learned the keep-alive adaptive mode chose for the model; null sends the
     * policy's keep-alive (its value while learning). Read only in mode adaptive
     */
    public static Decision decide(String model, @Nullable Policy policy, ClientKeepAlive client, boolean emptyPrompt,
            @Nullable KeepAlive learned) {
        if (policy == null) {
            return Decision.pass();
        }
        KeepAlive requested = requested(client);
        if (requested != null && requested.isZero()) {
            if (emptyPrompt) {
                return policy.allowUnload() ? Decision.of(policy, repaired(client)) : Decision.refuse(policy, model);
            }
            if (!policy.allowUnload()) {
                requested = null; // a pinned model is never sent keep_alive 0: treat the
                                  // client's 0 as absent
                client = ClientKeepAlive.absent();
            }
        }
        return switch (policy.mode()) {
            case OVERRIDE -> Decision.of(policy, policy.keepAlive());
            case FILL -> Decision.of(policy, requested != null || client instanceof ClientKeepAlive.Invalid
                    ? repaired(client) : policy.keepAlive());
            case CLAMP -> clamp(policy, client, requested);
            case ADAPTIVE -> Decision.of(policy, learned != null ? learned : policy.keepAlive());
        };
    }

    private static Decision clamp(Policy policy, ClientKeepAlive client, @Nullable KeepAlive requested) {
        if (client instanceof ClientKeepAlive.Invalid) {
            return Decision.of(policy, null); // let Ollama's 400 reach the client
        }
        KeepAlive base = requested != null ? requested : policy.keepAlive();
        KeepAlive clamped = base;
        if (policy.min() != null && clamped.compareTo(policy.min()) < 0) {
            clamped = policy.min();
        }
        if (policy.max() != null && clamped.compareTo(policy.max()) > 0) {
            clamped = policy.max();
        }
        boolean untouched = client instanceof ClientKeepAlive.Valid valid && valid.value().equals(clamped);
        return Decision.of(policy, untouched ? null : clamped);
    }

    /**
     * Whether the request is an explicit unload (an empty prompt with keep_alive 0): not
     * a use of the model, so adaptive mode neither learns from it nor chooses for it.
     */
    public static boolean explicitUnload(ClientKeepAlive client, boolean emptyPrompt) {
        KeepAlive requested = requested(client);
        return emptyPrompt && requested != null && requested.isZero();
    }

    /** The value the client asked for, when Ollama (or keepwarm's repair) can read it. */
    private static @Nullable KeepAlive requested(ClientKeepAlive client) {
        if (client instanceof ClientKeepAlive.Valid valid) {
            return valid.value();
        }
        if (client instanceof ClientKeepAlive.NumericString numeric) {
            return numeric.value();
        }
        return null;
    }

    /**
     * Keeps the client's value as sent, except a numeric string, which becomes the number
     * Ollama accepts.
     */
    private static @Nullable KeepAlive repaired(ClientKeepAlive client) {
        return client instanceof ClientKeepAlive.NumericString numeric ? numeric.value() : null;
    }

}
