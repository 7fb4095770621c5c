package dev.keepwarm.policy;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

import org.jspecify.annotations.Nullable;

/**
 * A schedule's windows: reads as the strings the user wrote (so the record still binds,
 * compares and prints a {@code List<String>}) and holds them parsed, so that a bad window
 * fails at start-up and no request parses one.
 */
final class TimeWindows extends AbstractList<String> implements RandomAccess {

    private final List<TimeWindow> parsed;

    private TimeWindows(List<TimeWindow> parsed) {
        this.parsed = parsed;
    }

    /**
     * @throws IllegalArgumentException when there is no window or one is invalid, naming
     * it
     */
    static TimeWindows parse(@Nullable List<String> texts) {
        if (texts instanceof TimeWindows windows) {
            return windows;
        }
        if (texts == null || texts.isEmpty()) {
            throw new IllegalArgumentException(
                    "a schedule needs at least one window in windows, such as \"MON-FRI 08:00-18:00\"");
        }
        return new TimeWindows(texts.stream().map(TimeWindow::parse).toList());
    }

    List<TimeWindow> parsed() {
        return parsed;
    }

    @Override
    public String get(int index) {
        return parsed.get(index).text();
    }

    @Override
    public int size() {
        return parsed.size();
    }

}
