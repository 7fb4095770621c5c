package dev.keepwarm.warmer;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The warmer keeps models whose rule says {@code warm: true} loaded ({@code keepwarm.warmer}).
 *
 * @param enabled whether the warmer runs at all
 * @param interval reconcile period; each wait is jittered by +-10% so replicas do not align
 * @param pingTimeout longest wait for one ping; never shorter than a model load, because Ollama aborts a load
 *     whose client disconnects
 * @param maxConcurrentLoads pings in flight at once; Ollama loads one model at a time anyway
 * @param thrash when repeated reloads of one model count as thrashing, and how far to back off
 */
@ConfigurationProperties("keepwarm.warmer")
@Validated
public record WarmerProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("30s") @NotNull Duration interval,
        @DefaultValue("10m") @NotNull Duration pingTimeout,
        @DefaultValue("1") @Positive int maxConcurrentLoads,
        @DefaultValue @Valid @NestedConfigurationProperty Thrash thrash) {

    public WarmerProperties {
        requirePositive("keepwarm.warmer.interval", interval);
        requirePositive("keepwarm.warmer.ping-timeout", pingTimeout);
    }

    /**
     * Thrash detection ({@code keepwarm.warmer.thrash}).
     *
     * @param reloads this many re-loads of one warm model ...
     * @param window ... within this window mean it is thrashing
     * @param maxBackoff longest pause between pings of a thrashing model
     */
    public record Thrash(
            @DefaultValue("3") @Positive int reloads,
            @DefaultValue("10m") @NotNull Duration window,
            @DefaultValue("30m") @NotNull Duration maxBackoff) {

        public Thrash {
            requirePositive("keepwarm.warmer.thrash.window", window);
            requirePositive("keepwarm.warmer.thrash.max-backoff", maxBackoff);
        }
    }

    private static void requirePositive(String property, Duration value) {
        if (value != null && (value.isNegative() || value.isZero())) {
            throw new IllegalArgumentException(property + " must be positive, not " + value);
        }
    }
}
