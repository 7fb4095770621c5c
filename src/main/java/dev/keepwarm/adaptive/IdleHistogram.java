package dev.keepwarm.adaptive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One model's idle times (the end of one request to the start of the next) in the
 * range-limited histogram of Shahrad et al., "Serverless in the Wild" (USENIX ATC 2020,
 * §4.2): bins of width {@code bin} from 0 up to {@code range}, bin {@code i} holding the
 * idle times in {@code [i * bin, (i + 1) * bin)}; an idle time of {@code range} or more
 * is out of bounds and only counted, and the last few of those are kept for the forecast.
 * A negative idle time (the next request started before the last one ended) counts as 0.
 * Memory is one {@code long} per bin, at most {@link #MAX_BINS}. Not thread-safe: the
 * caller confines an instance, or swaps {@link #snapshot() snapshots}.
 */
public final class IdleHistogram {

    /** The most bins a histogram may have: {@code range / bin} above it is rejected. */
    public static final int MAX_BINS = 10_000;

    /** How many recent out-of-bounds idle times are kept for the forecast by default. */
    public static final int RECENT = 16;

    /** The most recent out-of-bounds idle times an instance may keep. */
    public static final int MAX_RECENT = 1_000;

    private final Duration bin;

    private final Duration range;

    private final long[] counts;

    private final RecentIdleTimes recent;

    private long inBounds;

    private long outOfBounds;

    /** An empty histogram keeping the last {@link #RECENT} out-of-bounds idle times. */
    public IdleHistogram(Duration bin, Duration range) {
        this(bin, range, RECENT);
    }

    /**
     * An empty histogram.
     * @param bin the bin width, longer than zero
     * @param range the end of the last bin, a multiple of {@code bin}, at most
     * {@link #MAX_BINS} bins
     * @param recentCapacity how many recent out-of-bounds idle times to keep (0 to
     * {@link #MAX_RECENT})
     * @throws IllegalArgumentException naming the value at fault
     */
    public IdleHistogram(Duration bin, Duration range, int recentCapacity) {
        this.counts = new long[bins(bin, range)];
        this.bin = bin;
        this.range = range;
        this.recent = new RecentIdleTimes(recentCapacity);
    }

    /**
     * A histogram holding what the snapshot holds, keeping {@link #RECENT} recent idle
     * times.
     */
    public static IdleHistogram of(HistogramSnapshot snapshot) {
        IdleHistogram histogram = new IdleHistogram(snapshot.bin(), snapshot.range());
        for (int i = 0; i < histogram.counts.length; i++) {
            histogram.counts[i] = snapshot.counts().get(i);
            histogram.inBounds = Math.addExact(histogram.inBounds, histogram.counts[i]);
        }
        histogram.outOfBounds = snapshot.outOfBounds();
        snapshot.recentOutOfBounds().forEach(histogram.recent::add);
        return histogram;
    }

    /**
     * The number of bins, {@code range / bin}.
     * @throws IllegalArgumentException when bin is not positive, range is not a positive
     * multiple of it, or there would be more than {@link #MAX_BINS} bins
     */
    static int bins(Duration bin, Duration range) {
        if (bin.isNegative() || bin.isZero()) {
            throw new IllegalArgumentException("adaptive bin must be longer than zero, not " + bin);
        }
        if (range.compareTo(bin) < 0 || range.toNanos() % bin.toNanos() != 0) {
            throw new IllegalArgumentException(
                    "adaptive range (" + range + ") must be a positive multiple of the bin (" + bin + ")");
        }
        long bins = range.toNanos() / bin.toNanos();
        if (bins > MAX_BINS) {
            throw new IllegalArgumentException("adaptive range / bin is " + bins + " bins (" + range + " / " + bin
                    + "), more than the " + MAX_BINS + " allowed: use a wider bin or a shorter range");
        }
        return (int) bins;
    }

    /**
     * Counts one idle time: in its bin, or out of bounds when it is {@code range} or
     * more.
     */
    public void record(Duration idle) {
        Duration time = idle.isNegative() ? Duration.ZERO : idle;
        if (time.compareTo(this.range) >= 0) {
            this.outOfBounds++;
            this.recent.add(time);
            return;
        }
        this.counts[(int) (time.toNanos() / this.bin.toNanos())]++;
        this.inBounds++;
    }

    public Duration bin() {
        return this.bin;
    }

    public Duration range() {
        return this.range;
    }

    /** Every idle time recorded, in bounds or not. */
    public long samples() {
        return this.inBounds + this.outOfBounds;
    }

    /** The idle times shorter than {@code range}. */
    public long inBounds() {
        return this.inBounds;
    }

    /** The idle times of {@code range} or more. */
    public long outOfBounds() {
        return this.outOfBounds;
    }

    /** The share of idle times out of bounds, 0 to 1; 0 when nothing was recorded. */
    public double outOfBoundsShare() {
        long samples = samples();
        return (samples == 0) ? 0 : (double) this.outOfBounds / samples;
    }

    /**
     * The bin in which the in-bounds idle times' cumulative count first reaches {@code p}
     * percent of them: the lowest bin {@code i} with {@code count[0..i] * 100 >= p *
     * inBounds} and {@code count[0..i] > 0}. So {@code p = 0} is the bin of the shortest
     * idle time and {@code p = 100} that of the longest. Empty when no idle time was in
     * bounds (out-of-bounds ones do not count: the paper's head and tail are of the
     * histogram).
     * @param p the percentile, 0 to 100
     */
    public OptionalInt percentileBin(double p) {
        if (!(p >= 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be 0 to 100, not " + p);
        }
        long cumulative = 0;
        for (int i = 0; i < this.counts.length; i++) {
            cumulative += this.counts[i];
            if (cumulative > 0 && cumulative * 100.0 >= p * this.inBounds) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * The upper edge of the {@link #percentileBin percentile's bin}: every idle time
     * counted up to that percentile is shorter. The paper's tail, rounded up.
     */
    public Optional<Duration> percentile(double p) {
        return edge(percentileBin(p), 1);
    }

    /**
     * The lower edge of the {@link #percentileBin percentile's bin}; 0 when it is the
     * first bin. The paper's head, rounded down: "if the head is 0, the application is
     * not unloaded".
     */
    public Optional<Duration> percentileLowerEdge(double p) {
        return edge(percentileBin(p), 0);
    }

    private Optional<Duration> edge(OptionalInt index, int plus) {
        return index.isPresent() ? Optional.of(this.bin.multipliedBy(index.getAsInt() + plus)) : Optional.empty();
    }

    /**
     * The coefficient of variation of the bin counts (population standard deviation over
     * mean, over all {@code range / bin} bins); 0 when no idle time is in bounds. High
     * when the idle times are concentrated: with all of them spread evenly over {@code k}
     * of {@code n} bins it is {@code sqrt(n / k - 1)}, so 2 means within a fifth of the
     * bins.
     */
    public double coefficientOfVariation() {
        if (this.inBounds == 0) {
            return 0;
        }
        double mean = (double) this.inBounds / this.counts.length;
        double squares = 0;
        for (long count : this.counts) {
            squares += (count - mean) * (count - mean);
        }
        return Math.sqrt(squares / this.counts.length) / mean;
    }

    /**
     * Whether the histogram may be trusted, as in the paper (§4.2): it has seen enough
     * idle times in bounds, and they are concentrated, the {@link #coefficientOfVariation
     * CV} of the bin counts at least {@code minCv}. A low CV (idle times spread evenly)
     * means no pattern, or a change between patterns.
     * @param minSamples the fewest in-bounds idle times to trust
     * @param minCv the lowest CV to trust (2 in public reimplementations of the paper's
     * policy)
     */
    public boolean representative(long minSamples, double minCv) {
        return this.inBounds >= minSamples && this.inBounds > 0 && coefficientOfVariation() >= minCv;
    }

    /** The last out-of-bounds idle times, oldest first. */
    public List<Duration> recentOutOfBounds() {
        return this.recent.list();
    }

    /**
     * The next out-of-bounds idle time expected: the median of the recent ones (the mean
     * of the middle two for an even count); empty when there are none. The paper fits
     * ARIMA; the median needs no fitting and one odd gap (a weekend) does not move it,
     * where it would pull a mean (see {@code IdleHistogramTest}).
     */
    public Optional<Duration> forecast() {
        return this.recent.median();
    }

    /** What the histogram holds now, immutable: for a state file, or to merge. */
    public HistogramSnapshot snapshot() {
        List<Long> bins = new ArrayList<>(this.counts.length);
        for (long count : this.counts) {
            bins.add(count);
        }
        return new HistogramSnapshot(this.bin, this.range, bins, this.outOfBounds, recentOutOfBounds());
    }

    /**
     * A new histogram with the counts of both (several keepwarm replicas, each seeing
     * part of a model's traffic); recent out-of-bounds idle times are this one's, then
     * the other's, the last {@link #RECENT} kept. Neither is changed.
     * @throws IllegalArgumentException when bin or range differ
     */
    public IdleHistogram merge(IdleHistogram other) {
        if (!this.bin.equals(other.bin) || !this.range.equals(other.range)) {
            throw new IllegalArgumentException("cannot merge a histogram of bin " + other.bin + " and range "
                    + other.range + " into one of bin " + this.bin + " and range " + this.range);
        }
        IdleHistogram merged = new IdleHistogram(this.bin, this.range);
        for (int i = 0; i < this.counts.length; i++) {
            merged.counts[i] = Math.addExact(this.counts[i], other.counts[i]);
        }
        merged.inBounds = Math.addExact(this.inBounds, other.inBounds);
        merged.outOfBounds = Math.addExact(this.outOfBounds, other.outOfBounds);
        this.recent.list().forEach(merged.recent::add);
        other.recent.list().forEach(merged.recent::add);
        return merged;
    }

    @Override
    public String toString() {
        return snapshot().toText();
    }

}
