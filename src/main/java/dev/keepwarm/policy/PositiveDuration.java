package dev.keepwarm.policy;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * The one check of every duration setting that must be longer than zero; its message
 * names the key and the value.
 */
public final class PositiveDuration {

    private PositiveDuration() {
    }

    /** Refuses zero and negative durations; null (unset) passes. */
    public static void require(String property, @Nullable Duration value) {
        if (value != null && (value.isNegative() || value.isZero())) {
            throw new IllegalArgumentException(property + " must be positive, not " + value);
        }
    }

}
