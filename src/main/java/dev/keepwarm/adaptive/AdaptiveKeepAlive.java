package dev.keepwarm.adaptive;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

import dev.keepwarm.policy.KeepAlive;
import org.jspecify.annotations.Nullable;

/**
 * The keep_alive adaptive mode sends for a model, and when to pre-warm it: the hybrid
 * histogram policy of Shahrad et al., "Serverless in the Wild" (USENIX ATC 2020, §4.2),
 * as issue 14 items 2 and 3 adapt it. In this order:
 * <ol>
 * <li>Fewer than {@code minSamples} idle times: the rule's keep-alive,
 * {@link Reason#LEARNING}.</li>
 * <li>More than {@code maxOutOfBoundsShare} of them out of bounds (the paper: "the
 * histogram does not capture most idle times"): the {@link IdleHistogram#forecast()
 * forecast} {@code f} of the next one plans the window {@code [f * (1 - forecastMargin),
 * f * (1 + forecastMargin)]} after the request, as the paper's ARIMA branch does,
 * {@link Reason#FORECAST}.</li>
 * <li>Not {@link IdleHistogram#representative representative} (too few idle times in
 * bounds, or the CV of the bin counts below {@code minCv}): the rule's keep-alive, as the
 * paper reverts to a standard keep-alive, {@link Reason#LEARNING}.</li>
 * <li>Otherwise {@link Reason#HISTOGRAM}, with {@code head} the
 * {@link IdleHistogram#percentileLowerEdge lower edge} of the prewarm percentile's bin
 * and {@code tail} the {@link IdleHistogram#percentile upper edge} of the keep-alive
 * percentile's bin: when {@code head} is 0 (the paper does not unload then) keep_alive is
 * {@code tail * (1 + margin)}; else the window {@code [head * (1 - margin), tail * (1 +
 * margin)]} is planned.</li>
 * </ol>
 * A planned window {@code [start, end]} after {@code lastEnd} unloads the model
 * (keep_alive 0), pre-warms it at {@code lastEnd + start - loadTime} so that it is loaded
 * by {@code start}, and holds it {@code end - start}. When that pre-warm instant is not
 * after {@code now} there is nothing to gain by unloading, and keep_alive covers the
 * window instead: {@code lastEnd + end - now}. Every keep_alive and hold is clamped into
 * {@code [min, max]}; the pre-warm's keep_alive 0 is not (unloading is the point).
 */
public final class AdaptiveKeepAlive {

    private AdaptiveKeepAlive() {
    }

    /**
     * {@link #decide(IdleHistogram, KeepAlive, Settings, Instant, Instant)} on a
     * snapshot.
     */
    public static Choice decide(HistogramSnapshot history, KeepAlive learning, Settings settings, Instant lastEnd,
            Instant now) {
        return decide(IdleHistogram.of(history), learning, settings, lastEnd, now);
    }

    /**
     * The choice for the model whose idle times are {@code history} (read, not changed).
     * @param learning the rule's keep-alive, sent while the history cannot be trusted
     * @param lastEnd when the request whose keep_alive is chosen ends (Ollama counts
     * keep_alive from then); at its start, {@code now} is the estimate
     * @param now when the choice is made, from the caller's Clock
     */
    public static Choice decide(IdleHistogram history, KeepAlive learning, Settings settings, Instant lastEnd,
            Instant now) {
        if (history.samples() < settings.minSamples()) {
            return Choice.keep(learning, Reason.LEARNING);
        }
        if (history.outOfBoundsShare() > settings.maxOutOfBoundsShare()) {
            Optional<Duration> forecast = history.forecast();
            if (forecast.isPresent()) {
                Duration f = forecast.get();
                return plan(Reason.FORECAST, times(f, 1 - settings.forecastMargin()),
                        times(f, 1 + settings.forecastMargin()), settings, lastEnd, now);
            }
        }
        if (!history.representative(settings.minSamples(), settings.minCv())) {
            return Choice.keep(learning, Reason.LEARNING);
        }
        Duration head = history.percentileLowerEdge(settings.prewarmPercentile()).orElseThrow();
        Duration end = times(history.percentile(settings.keepAlivePercentile()).orElseThrow(), 1 + settings.margin());
        if (head.isZero()) {
            return covering(Reason.HISTOGRAM, end, settings, lastEnd, now);
        }
        return plan(Reason.HISTOGRAM, times(head, 1 - settings.margin()), end, settings, lastEnd, now);
    }

    private static Choice plan(Reason reason, Duration start, Duration end, Settings settings, Instant lastEnd,
            Instant now) {
        Instant prewarmAt = lastEnd.plus(start).minus(settings.loadTime());
        if (!prewarmAt.isAfter(now)) {
            return covering(reason, end, settings, lastEnd, now);
        }
        return new Choice(KeepAlive.ZERO, reason, prewarmAt, settings.clamp(end.minus(start)));
    }

    private static Choice covering(Reason reason, Duration end, Settings settings, Instant lastEnd, Instant now) {
        return Choice.keep(KeepAlive.of(settings.clamp(Duration.between(now, lastEnd.plus(end)))), reason);
    }

    private static Duration times(Duration duration, double factor) {
        return Duration.ofNanos(Math.round(duration.toNanos() * factor));
    }

    /**
     * How adaptive mode reads a histogram.
     *
     * @param min the shortest keep_alive or hold it sends
     * @param max the longest keep_alive or hold it sends
     * @param keepAlivePercentile the idle-time percentile a keep_alive covers (the
     * paper's tail, 99)
     * @param prewarmPercentile the idle-time percentile before which a model is
     * pre-warmed (the paper's head, 5)
     * @param margin how much earlier than the head it is pre-warmed and longer than the
     * tail it is kept, as a fraction (the paper's 10%: 0.1)
     * @param minSamples the fewest idle times (and in-bounds idle times, for the
     * histogram) to trust; the paper names no number
     * @param minCv the lowest CV of bin counts to trust the histogram (2, the default of
     * public reimplementations of the paper's policy; the paper's text names no number)
     * @param maxOutOfBoundsShare above this share of out-of-bounds idle times the
     * forecast decides (0.5: "most")
     * @param forecastMargin the forecast window's half-width as a fraction of the
     * forecast (15%: 0.15, the ARIMA margin of public reimplementations)
     * @param loadTime how long the model takes to load: a pre-warm starts that much
     * earlier
     */
    public record Settings(Duration min, Duration max, double keepAlivePercentile, double prewarmPercentile,
            double margin, long minSamples, double minCv, double maxOutOfBoundsShare, double forecastMargin,
            Duration loadTime) {

        public Settings {
            if (min.isNegative() || max.compareTo(min) < 0) {
                throw new IllegalArgumentException(
                        "adaptive min (" + min + ") and max (" + max + ") must satisfy 0 <= min <= max");
            }
            if (!(prewarmPercentile >= 0 && prewarmPercentile <= keepAlivePercentile && keepAlivePercentile <= 100)) {
                throw new IllegalArgumentException("adaptive percentiles must satisfy 0 <= prewarm ("
                        + prewarmPercentile + ") <= keep-alive (" + keepAlivePercentile + ") <= 100");
            }
            requireFraction("margin", margin);
            requireFraction("forecast margin", forecastMargin);
            if (!(maxOutOfBoundsShare >= 0 && maxOutOfBoundsShare <= 1)) {
                throw new IllegalArgumentException(
                        "adaptive out-of-bounds share must be 0 to 1, not " + maxOutOfBoundsShare);
            }
            if (minSamples < 1 || !(minCv >= 0) || loadTime.isNegative()) {
                throw new IllegalArgumentException("adaptive min samples (" + minSamples + ") must be at least 1, "
                        + "min CV (" + minCv + ") and load time (" + loadTime + ") not negative");
            }
        }

        /**
         * The paper's percentiles (99 and 5) and margin (10%); the CV 2 and forecast
         * margin 15% of its public reimplementations; at least 10 idle times, the
         * forecast above half out of bounds, no load time.
         */
        public static Settings of(Duration min, Duration max) {
            return new Settings(min, max, 99, 5, 0.1, 10, 2, 0.5, 0.15, Duration.ZERO);
        }

        /** These settings with another load time. */
        public Settings withLoadTime(Duration loadTime) {
            return new Settings(this.min, this.max, this.keepAlivePercentile, this.prewarmPercentile, this.margin,
                    this.minSamples, this.minCv, this.maxOutOfBoundsShare, this.forecastMargin, loadTime);
        }

        /** These settings with another count of idle times to trust. */
        public Settings withMinSamples(long minSamples) {
            return new Settings(this.min, this.max, this.keepAlivePercentile, this.prewarmPercentile, this.margin,
                    minSamples, this.minCv, this.maxOutOfBoundsShare, this.forecastMargin, this.loadTime);
        }

        /** The duration clamped into {@code [min, max]}. */
        public Duration clamp(Duration duration) {
            return (duration.compareTo(this.min) < 0) ? this.min
                    : (duration.compareTo(this.max) > 0) ? this.max : duration;
        }

        private static void requireFraction(String name, double value) {
            if (!(value >= 0 && value < 1)) {
                throw new IllegalArgumentException(
                        "adaptive " + name + " must be at least 0 and below 1, not " + value);
            }
        }

    }

    /**
     * What to send and plan.
     *
     * @param keepAlive the keep_alive for the request
     * @param reason why
     * @param prewarmAt when the warmer should load the model again, or null for no
     * pre-warm
     * @param holdFor the keep_alive of that pre-warm ping; null exactly when
     * {@code prewarmAt} is
     */
    public record Choice(KeepAlive keepAlive, Reason reason, @Nullable Instant prewarmAt, @Nullable Duration holdFor) {

        public Choice {
            if ((prewarmAt == null) != (holdFor == null)) {
                throw new IllegalArgumentException("a pre-warm needs both its instant and its hold");
            }
        }

        static Choice keep(KeepAlive keepAlive, Reason reason) {
            return new Choice(keepAlive, reason, null, null);
        }

        /**
         * This choice cut by the {@link MemoryBudget}: the shortened keep-alive, no
         * pre-warm (it would take the memory back), {@link Reason#BUDGET}.
         */
        public Choice budgeted(KeepAlive shortened) {
            return keep((shortened.compareTo(this.keepAlive) < 0) ? shortened : this.keepAlive, Reason.BUDGET);
        }

    }

    /** Why the keep_alive is what it is: shown on the state endpoint. */
    public enum Reason {

        /** The history is too thin or too spread to trust: the rule's keep-alive. */
        LEARNING,

        /** From the histogram's percentiles. */
        HISTOGRAM,

        /** Forecast from recent out-of-bounds idle times. */
        FORECAST,

        /** Shortened by the memory budget. */
        BUDGET;

        /** The value shown. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }

    }

}
