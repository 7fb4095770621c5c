package dev.keepwarm.policy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How long Ollama keeps a model loaded after its last request: a non-negative duration or
 * forever. Knows how it is written on the wire: forever as the JSON number {@code -1}
 * (never the string "-1", which Ollama rejects), seconds given as a number stay a number,
 * everything else is a Go duration string.
 */
public final class KeepAlive implements Comparable<KeepAlive> {

    /** Never unload. */
    public static final KeepAlive FOREVER = new KeepAlive(null, false);

    /** Unload as soon as the request finishes. */
    public static final KeepAlive ZERO = new KeepAlive(Duration.ZERO, false);

    private final Duration duration; // null = forever

    private final boolean seconds; // written as a JSON number of seconds

    private KeepAlive(Duration duration, boolean seconds) {
        this.duration = duration;
        this.seconds = seconds;
    }

    /** A duration; negative means forever, as in Ollama. */
    public static KeepAlive of(Duration duration) {
        return duration.isNegative() ? FOREVER : new KeepAlive(duration, false);
    }

    /**
     * A number of seconds as Ollama reads a JSON number (fractions allowed, negative =
     * forever).
     */
    public static KeepAlive ofSeconds(BigDecimal seconds) {
        if (seconds.signum() < 0) {
            return FOREVER;
        }
        BigDecimal nanos = seconds.movePointRight(9);
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            return FOREVER; // longer than Ollama can represent: it means "a very long
                            // time"
        }
        return new KeepAlive(Duration.ofNanos(nanos.longValue()), true);
    }

    /**
     * Parses a keep-alive as written by Ollama's keep_alive rules for strings (a Go
     * duration; a bare number is rejected, "0" is not).
     */
    public static Optional<KeepAlive> parseGoDuration(String text) {
        return GoDuration.parse(text).map(KeepAlive::of);
    }

    /**
     * Parses a keep-alive from configuration: {@code forever}, {@code -1} or any negative
     * number, plain seconds ({@code 300}, {@code 42.5}), or a Go duration ({@code 30m},
     * {@code 1h30m}, {@code 90s}, {@code 0}).
     * @throws IllegalArgumentException naming the value and the accepted forms
     */
    public static KeepAlive parse(String text) {
        String value = text == null ? "" : text.strip();
        if (value.toLowerCase(Locale.ROOT).equals("forever")) {
            return FOREVER;
        }
        Optional<BigDecimal> number = number(value);
        if (number.isPresent()) {
            // forever when negative or too long for Ollama
            KeepAlive seconds = ofSeconds(number.get());
            return seconds.isForever() ? FOREVER : of(seconds.duration);
        }
        return parseGoDuration(value).orElseThrow(() -> new IllegalArgumentException("invalid keep-alive '" + text
                + "': use a Go duration (30m, 1h30m, 90s), seconds (300), \"forever\" or -1, or 0"));
    }

    /**
     * Same as {@link #parse(String)}; lets Spring convert configuration strings without a
     * converter bean.
     */
    public static KeepAlive valueOf(String text) {
        return parse(text);
    }

    static Optional<BigDecimal> number(String text) {
        if (text.isEmpty() || !text.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)")) {
            return Optional.empty();
        }
        return Optional.of(new BigDecimal(text));
    }

    public boolean isForever() {
        return duration == null;
    }

    public boolean isZero() {
        return duration != null && duration.isZero();
    }

    /** The duration, or empty for forever. */
    public Optional<Duration> duration() {
        return Optional.ofNullable(duration);
    }

    /** The JSON literal to send to Ollama: {@code -1}, {@code 300} or {@code "10m"}. */
    public String toJson() {
        if (isForever()) {
            return "-1";
        }
        return seconds ? secondsText() : '"' + GoDuration.format(duration) + '"';
    }

    private String secondsText() {
        return BigDecimal.valueOf(duration.toNanos()).movePointLeft(9).stripTrailingZeros().toPlainString();
    }

    @Override
    public int compareTo(KeepAlive other) {
        if (isForever() || other.isForever()) {
            return Boolean.compare(isForever(), other.isForever());
        }
        return duration.compareTo(other.duration);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeepAlive other && Objects.equals(duration, other.duration);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(duration);
    }

    /** What was sent, for people: {@code -1}, {@code 300} or {@code 10m}. */
    @Override
    public String toString() {
        return toJson().replace("\"", "");
    }

}
