package dev.keepwarm.warmer;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;

import dev.keepwarm.adaptive.AdaptiveKeepAlive;
import dev.keepwarm.adaptive.IdleHistogram;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.Policy;
import dev.keepwarm.policy.PositiveDuration;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How adaptive mode ({@code mode: adaptive} on a rule or the default) learns each model's
 * keep-alive ({@code keepwarm.adaptive}): the hybrid histogram policy of Shahrad et al.,
 * "Serverless in the Wild" (USENIX ATC 2020), see {@link AdaptiveKeepAlive}.
 *
 * @param bin the idle-time histogram's bin width
 * @param range the end of the histogram: longer idle times are out of bounds (counted,
 * and the recent ones forecast from); a multiple of bin, at most 10000 bins
 * @param keepAlivePercentile the idle-time percentile a learned keep-alive covers
 * @param prewarmPercentile the idle-time percentile before which a model is not needed:
 * when it is long, the model is unloaded after each use and pre-warmed shortly before
 * that time
 * @param margin how much longer than the keep-alive percentile a model is kept and how
 * much earlier than the pre-warm percentile it is loaded: a percentage ("10%") or a
 * fraction (0.1)
 * @param minSamples the fewest idle times of a model before its history is trusted; until
 * then its rule's keep-alive applies
 * @param memoryBudget the most memory (size_vram from /api/ps, summed over the fleet) the
 * models in adaptive mode may hold at once; beyond it the ones of least use x load time
 * per byte get their rule's min (a load time not measured yet, before the model's first
 * pre-warm, counts as 1 s). Warm rules neither count nor are cut. Empty: no budget
 * @param stateFile where learned histories are kept across restarts (written atomically
 * every state-interval and at shutdown, read at start); empty: learned anew after a
 * restart
 * @param stateInterval how often the state file is written
 */
@ConfigurationProperties("keepwarm.adaptive")
@Validated
public record AdaptiveProperties(@DefaultValue("1m") @NotNull Duration bin, @DefaultValue("4h") @NotNull Duration range,
        @DefaultValue("99") double keepAlivePercentile, @DefaultValue("5") double prewarmPercentile,
        @DefaultValue("10%") @NotNull String margin, @DefaultValue("10") long minSamples,
        @Nullable DataSize memoryBudget, @Nullable Path stateFile,
        @DefaultValue("1m") @NotNull Duration stateInterval) {

    public AdaptiveProperties {
        PositiveDuration.require("keepwarm.adaptive.bin", bin);
        PositiveDuration.require("keepwarm.adaptive.range", range);
        PositiveDuration.require("keepwarm.adaptive.state-interval", stateInterval);
        if (bin != null && range != null) {
            try {
                new IdleHistogram(bin, range, 0);
            }
            catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(
                        "keepwarm.adaptive.bin (" + bin + ") and range (" + range + "): " + ex.getMessage(), ex);
            }
        }
        if (minSamples < 1) {
            throw new IllegalArgumentException("keepwarm.adaptive.min-samples must be at least 1, not " + minSamples);
        }
        if (memoryBudget != null && memoryBudget.isNegative()) {
            throw new IllegalArgumentException("keepwarm.adaptive.memory-budget must not be negative");
        }
        if (bin != null && range != null && margin != null) {
            // percentiles and margin checked now, not at the first request
            settings(bin, range, keepAlivePercentile, prewarmPercentile, fraction(margin), minSamples);
        }
    }

    /** The settings for a policy: its min and max, else bin and range. */
    AdaptiveKeepAlive.Settings settings(@Nullable Policy policy) {
        Duration min = bound(policy == null ? null : policy.min(), bin);
        Duration max = bound(policy == null ? null : policy.max(), range);
        return settings(min, max.compareTo(min) < 0 ? min : max, keepAlivePercentile, prewarmPercentile,
                fraction(margin), minSamples);
    }

    private static AdaptiveKeepAlive.Settings settings(Duration min, Duration max, double keepAlivePercentile,
            double prewarmPercentile, double margin, long minSamples) {
        try {
            return new AdaptiveKeepAlive.Settings(min, max, keepAlivePercentile, prewarmPercentile, margin, minSamples,
                    2, 0.5, 0.15, Duration.ZERO);
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("keepwarm.adaptive: " + ex.getMessage(), ex);
        }
    }

    private static Duration bound(@Nullable KeepAlive bound, Duration otherwise) {
        return bound == null ? otherwise : bound.duration().orElse(otherwise);
    }

    /**
     * A margin, {@code "10%"} or {@code "0.1"}, as a fraction.
     * @throws IllegalArgumentException naming the text when it is neither
     */
    static double fraction(String text) {
        String trimmed = text.strip();
        try {
            if (trimmed.endsWith("%")) {
                return new BigDecimal(trimmed.substring(0, trimmed.length() - 1).strip()).movePointLeft(2)
                    .doubleValue();
            }
            return new BigDecimal(trimmed).doubleValue();
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException(
                    "keepwarm.adaptive.margin: not a percentage (10%) or a fraction (0.1): " + text, ex);
        }
    }

}
