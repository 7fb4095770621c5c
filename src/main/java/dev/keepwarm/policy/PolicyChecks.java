package dev.keepwarm.policy;

import org.jspecify.annotations.Nullable;

/**
 * Invariants that span several keys of one policy; a violation stops start-up naming the
 * keys and values.
 */
final class PolicyChecks {

    private PolicyChecks() {
    }

    static void check(String name, @Nullable KeepAlive keepAlive, Mode mode, @Nullable KeepAlive min,
            @Nullable KeepAlive max, boolean allowUnload) {
        if (mode != Mode.FILL && keepAlive == null) {
            throw new IllegalArgumentException("policy '" + name + "': mode " + lower(mode) + " needs keep-alive");
        }
        if (!allowUnload && (keepAlive == null || keepAlive.isZero())) {
            throw new IllegalArgumentException(
                    "policy '" + name + "': allow-unload false needs a keep-alive other than 0");
        }
        if (mode != Mode.CLAMP && mode != Mode.ADAPTIVE && (min != null || max != null)) {
            throw new IllegalArgumentException(
                    "policy '" + name + "': min and max apply to modes clamp and adaptive only, not " + lower(mode));
        }
        if (mode == Mode.ADAPTIVE) {
            checkAdaptive(name, min, "min");
            checkAdaptive(name, max, "max");
        }
        if (mode == Mode.CLAMP && min == null && max == null) {
            throw new IllegalArgumentException("policy '" + name + "': mode clamp needs min, max or both");
        }
        if (min != null && max != null && min.compareTo(max) > 0) {
            throw new IllegalArgumentException(
                    "policy '" + name + "': min (" + min + ") is greater than max (" + max + ")");
        }
    }

    /**
     * Adaptive mode learns how long to keep a model: a bound must be a duration (forever
     * or a negative value would keep it forever, which nothing needs to learn).
     */
    private static void checkAdaptive(String name, @Nullable KeepAlive bound, String key) {
        if (bound != null && bound.isForever()) {
            throw new IllegalArgumentException("policy '" + name + "': mode adaptive needs a duration as " + key
                    + ", not " + bound + " (for a model kept loaded forever use mode override)");
        }
    }

    /**
     * A warm rule is kept loaded by the warmer; adaptive mode unloads between uses: a
     * rule is one or the other.
     */
    static void checkWarm(String name, Mode mode, boolean warm) {
        if (warm && mode == Mode.ADAPTIVE) {
            throw new IllegalArgumentException("policy '" + name
                    + "': warm true keeps the model loaded and mode adaptive learns when to unload it: choose one");
        }
    }

    /**
     * An off-hours keep-alive of 0 would unload, outside the schedule, a model whose rule
     * forbids unloading.
     */
    static void checkSchedule(String name, @Nullable Schedule schedule, boolean allowUnload) {
        if (schedule != null && !allowUnload && schedule.offHoursKeepAlive().isZero()) {
            throw new IllegalArgumentException(
                    "policy '" + name + "': allow-unload false needs an off-hours-keep-alive other than 0");
        }
    }

    private static String lower(Mode mode) {
        return mode.name().toLowerCase(java.util.Locale.ROOT);
    }

}
