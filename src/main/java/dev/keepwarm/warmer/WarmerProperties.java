package dev.keepwarm.warmer;

import java.time.Duration;

import dev.keepwarm.policy.PositiveDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The warmer keeps models whose rule says {@code warm: true} loaded
 * ({@code keepwarm.warmer}).
 *
 * @param enabled whether the warmer runs at all
 * @param interval reconcile period; each wait is jittered by +-10% so replicas do not
 * align
 * @param pingTimeout longest wait for one ping; never shorter than a model load, because
 * Ollama aborts a load whose client disconnects
 * @param maxConcurrentLoads pings in flight at once; Ollama loads one model at a time
 * anyway
 * @param psTimeout longest wait for Ollama's GET /api/ps in a reconcile pass (an Ollama
 * that accepts connections and never answers must not stop the warmer); must be shorter
 * than the interval. Empty: half the interval, at most 10 s
 * @param verifyInterval how often a model /api/ps lists as pinned is still pinged, so
 * that a crashed runner Ollama keeps listing is reloaded by keepwarm, not by the next
 * user (one ping per model per interval)
 * @param thrash when repeated reloads of one model count as thrashing, and how far to
 * back off
 */
@ConfigurationProperties("keepwarm.warmer")
@Validated
public record WarmerProperties(@DefaultValue("true") boolean enabled, @DefaultValue("30s") @NotNull Duration interval,
        @DefaultValue("10m") @NotNull Duration pingTimeout, @DefaultValue("1") @Positive int maxConcurrentLoads,
        @org.jspecify.annotations.Nullable Duration psTimeout, @DefaultValue("5m") @NotNull Duration verifyInterval,
        @DefaultValue @Valid @NestedConfigurationProperty Thrash thrash) {

    private static final Duration LONGEST_DEFAULT_PS_TIMEOUT = Duration.ofSeconds(10);

    public WarmerProperties {
        PositiveDuration.require("keepwarm.warmer.interval", interval);
        PositiveDuration.require("keepwarm.warmer.ping-timeout", pingTimeout);
        PositiveDuration.require("keepwarm.warmer.ps-timeout", psTimeout);
        PositiveDuration.require("keepwarm.warmer.verify-interval", verifyInterval);
        if (psTimeout != null && interval != null && psTimeout.compareTo(interval) >= 0) {
            throw new IllegalArgumentException("keepwarm.warmer.ps-timeout (" + psTimeout + ") must be shorter than "
                    + "keepwarm.warmer.interval (" + interval + ")");
        }
    }

    /** The /api/ps timeout: as set, else half the interval and at most 10 s. */
    public Duration psTimeoutOrDefault() {
        if (psTimeout != null) {
            return psTimeout;
        }
        Duration half = interval.dividedBy(2);
        return half.compareTo(LONGEST_DEFAULT_PS_TIMEOUT) > 0 ? LONGEST_DEFAULT_PS_TIMEOUT : half;
    }

    /**
     * Thrash detection ({@code keepwarm.warmer.thrash}).
     *
     * @param reloads this many re-loads of one warm model ...
     * @param window ... within this window mean it is thrashing
     * @param maxBackoff longest pause between pings of a thrashing model
     */
    public record Thrash(@DefaultValue("3") @Positive int reloads, @DefaultValue("10m") @NotNull Duration window,
            @DefaultValue("30m") @NotNull Duration maxBackoff) {

        public Thrash {
            PositiveDuration.require("keepwarm.warmer.thrash.window", window);
            PositiveDuration.require("keepwarm.warmer.thrash.max-backoff", maxBackoff);
        }
    }
}
