package dev.keepwarm.adaptive;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An {@link IdleHistogram} at one moment, immutable: what a state file holds so learned
 * histories survive a restart (issue 14), and what replicas exchange to merge. Its
 * {@link #toText() text form} is one line, only the non-empty bins written:
 * {@code bin=PT1M range=PT4H out-of-bounds=2 counts=0:5,29:12 recent=PT5H,PT6H30M}.
 *
 * @param bin the bin width
 * @param range the end of the last bin, a multiple of {@code bin}
 * @param counts the count of each bin, {@code range / bin} of them, none negative
 * @param outOfBounds the idle times of {@code range} or more
 * @param recentOutOfBounds the last out-of-bounds idle times, oldest first, each at least
 * {@code range}
 */
public record HistogramSnapshot(Duration bin, Duration range, List<Long> counts, long outOfBounds,
        List<Duration> recentOutOfBounds) {

    public HistogramSnapshot {
        int bins = IdleHistogram.bins(bin, range);
        if (counts.size() != bins) {
            throw new IllegalArgumentException("a histogram of range " + range + " and bin " + bin + " has " + bins
                    + " bins, not " + counts.size());
        }
        if (counts.stream().anyMatch((count) -> count < 0) || outOfBounds < 0) {
            throw new IllegalArgumentException("histogram counts must not be negative");
        }
        if (recentOutOfBounds.stream().anyMatch((idle) -> idle.compareTo(range) < 0)) {
            throw new IllegalArgumentException(
                    "recent out-of-bounds idle times must be at least the range " + range + ": " + recentOutOfBounds);
        }
        counts = List.copyOf(counts);
        recentOutOfBounds = List.copyOf(recentOutOfBounds);
    }

    /** An empty histogram's snapshot. */
    public static HistogramSnapshot empty(Duration bin, Duration range) {
        return new IdleHistogram(bin, range).snapshot();
    }

    /** The one-line text form, which {@link #parse} reads back to an equal snapshot. */
    public String toText() {
        List<String> bins = new ArrayList<>();
        for (int i = 0; i < this.counts.size(); i++) {
            if (this.counts.get(i) != 0) {
                bins.add(i + ":" + this.counts.get(i));
            }
        }
        return "bin=" + this.bin + " range=" + this.range + " out-of-bounds=" + this.outOfBounds + " counts="
                + String.join(",", bins) + " recent="
                + this.recentOutOfBounds.stream().map(Duration::toString).collect(Collectors.joining(","));
    }

    /**
     * Reads the {@link #toText() text form}.
     * @throws IllegalArgumentException naming the text when it is not one, or describes
     * no valid histogram
     */
    public static HistogramSnapshot parse(String text) {
        try {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String field : text.strip().split(" +")) {
                int equals = field.indexOf('=');
                if (equals < 0 || fields.put(field.substring(0, equals), field.substring(equals + 1)) != null) {
                    throw new IllegalArgumentException("field '" + field + "'");
                }
            }
            if (!fields.keySet().equals(Set.of("bin", "range", "out-of-bounds", "counts", "recent"))) {
                throw new IllegalArgumentException("fields " + fields.keySet());
            }
            Duration bin = Duration.parse(fields.get("bin"));
            Duration range = Duration.parse(fields.get("range"));
            List<Long> counts = new ArrayList<>(Collections.nCopies(IdleHistogram.bins(bin, range), 0L));
            for (String entry : items(fields.get("counts"))) {
                String[] parts = entry.split(":", -1);
                int index = Integer.parseInt(parts[0]);
                if (parts.length != 2 || counts.set(index, Long.parseLong(parts[1])) != 0) {
                    throw new IllegalArgumentException("bin '" + entry + "'");
                }
            }
            List<Duration> recent = items(fields.get("recent")).stream().map(Duration::parse).toList();
            return new HistogramSnapshot(bin, range, counts, Long.parseLong(fields.get("out-of-bounds")), recent);
        }
        catch (IllegalArgumentException | DateTimeParseException | IndexOutOfBoundsException ex) {
            throw new IllegalArgumentException("not an idle-time histogram: '" + text + "' (" + ex.getMessage() + ")",
                    ex);
        }
    }

    private static List<String> items(String list) {
        return list.isEmpty() ? List.of() : List.of(list.split(",", -1));
    }

}
