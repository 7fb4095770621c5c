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
        if (mode != Mode.CLAMP && (min != null || max != null)) {
            throw new IllegalArgumentException(
                    "policy '" + name + "': min and max apply to mode clamp only, not " + lower(mode));
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
