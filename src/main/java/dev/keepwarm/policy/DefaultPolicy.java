package dev.keepwarm.policy;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The policy for models that no rule matches ({@code keepwarm.policy.default}); omit it
 * to forward such requests unchanged.
 *
 * @param keepAlive keep-alive to apply: a Go duration ("10m"), plain seconds (300),
 * "forever" or -1, or 0
 * @param mode override, fill (default: the client's value when present, else this one),
 * clamp or adaptive (learned from each model's idle times, see keepwarm.adaptive; this
 * keep-alive while learning)
 * @param min lower bound of the keep-alive in clamp mode; in adaptive mode, of the
 * learned keep-alive (default keepwarm.adaptive.bin)
 * @param max upper bound of the keep-alive in clamp mode, where forever is allowed; in
 * adaptive mode, of the learned keep-alive (default keepwarm.adaptive.range)
 * @param allowUnload whether a client may unload a model (keep_alive 0 with an empty
 * prompt)
 * @param options runner options (such as num_ctx) added to a request's options where the
 * request lacks the key
 */
public record DefaultPolicy(@Nullable KeepAlive keepAlive, @DefaultValue("fill") Mode mode, @Nullable KeepAlive min,
        @Nullable KeepAlive max, @DefaultValue("true") boolean allowUnload,
        @DefaultValue Map<String, String> options) implements Policy {

    /** The rule name the default policy reports. */
    public static final String NAME = "default";

    public DefaultPolicy {
        options = options == null ? Map.of() : Map.copyOf(options);
        PolicyChecks.check(NAME, keepAlive, mode, min, max, allowUnload);
    }

    @Override
    public String name() {
        return NAME;
    }
}
