package dev.keepwarm.policy;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/** A keep-alive policy: a model rule or the default. */
public interface Policy {

    /**
     * The rule's match pattern, or {@code default} for the default policy; shown in
     * headers and logs.
     */
    String name();

    /**
     * The policy's keep-alive; null lets the client's value (or Ollama's default) stand.
     */
    @Nullable KeepAlive keepAlive();

    Mode mode();

    /** Lower bound in clamp mode; null = none. */
    @Nullable KeepAlive min();

    /** Upper bound in clamp mode; null = none (forever allowed). */
    @Nullable KeepAlive max();

    /** Whether a client may unload the model (keep_alive 0 with an empty prompt). */
    boolean allowUnload();

    /**
     * Runner options filled into requests that lack them (values as configured, typed by
     * {@link OptionValues}).
     */
    Map<String, String> options();

}
