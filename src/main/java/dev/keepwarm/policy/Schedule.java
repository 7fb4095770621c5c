package dev.keepwarm.policy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.IntStream;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * When a rule applies as written ({@code keepwarm.policy.models[N].schedule}). Outside
 * its windows the rule behaves like {@code warm: false} with
 * {@code keep-alive: <off-hours-keep-alive>}.
 *
 * @param zone time zone the windows are read in, such as Europe/Berlin; the system zone
 * when omitted
 * @param windows when the rule applies, at least one, each "DAYS HH:MM-HH:MM": DAYS is a
 * day (MON to SUN), a range (MON-FRI; FRI-MON wraps) or a comma list of both (SAT,SUN or
 * MON-WED,FRI). The end may be 24:00; an end at or before the start is on the next day,
 * and such a window belongs to the day it starts on ("SAT,SUN 22:00-02:00" includes
 * Sunday and Monday 01:00, not Saturday 01:00). Write several windows as a YAML list
 * @param offHoursKeepAlive keep-alive the rule applies outside the windows instead of its
 * keep-alive, in the rule's mode: a Go duration ("5m"), plain seconds, "forever" or -1,
 * or 0
 */
public record Schedule(@Nullable ZoneId zone, List<String> windows, @DefaultValue("5m") KeepAlive offHoursKeepAlive) {

    private static final KeepAlive DEFAULT_OFF_HOURS = KeepAlive.of(Duration.ofMinutes(5));

    /**
     * Every weekday comes round within a week; a day more covers DST shifts and runs that
     * started yesterday.
     */
    private static final int SEARCH_DAYS = 8;

    public Schedule {
        zone = zone == null ? ZoneId.systemDefault() : zone;
        windows = TimeWindows.parse(windows);
        offHoursKeepAlive = offHoursKeepAlive == null ? DEFAULT_OFF_HOURS : offHoursKeepAlive;
    }

    /**
     * The zone the windows are read in; never null (the system zone when none was
     * configured).
     */
    @Override
    public ZoneId zone() {
        return Objects.requireNonNull(zone);
    }

    /** Whether the instant falls inside one of the windows. */
    public boolean activeAt(Instant instant) {
        LocalDate today = LocalDate.ofInstant(instant, zone());
        return parsed().stream()
            // a run that started yesterday may cross midnight
            .anyMatch(window -> runsAt(window, today, instant) || runsAt(window, today.minusDays(1), instant));
    }

    /**
     * The first window start strictly after the instant, within 8 days: when the warmer
     * should load the model.
     */
    public Optional<Instant> nextStart(Instant after) {
        LocalDate today = LocalDate.ofInstant(after, zone());
        Instant limit = after.plus(Duration.ofDays(SEARCH_DAYS));
        return IntStream.rangeClosed(-1, SEARCH_DAYS)
            .mapToObj(today::plusDays)
            .flatMap(day -> parsed().stream().flatMap(window -> window.runOn(day, zone()).stream()))
            .map(TimeWindow.Run::start)
            .filter(start -> start.isAfter(after) && !start.isAfter(limit))
            .min(Comparator.naturalOrder());
    }

    private boolean runsAt(TimeWindow window, LocalDate day, Instant instant) {
        return window.runOn(day, zone()).map(run -> run.contains(instant)).orElse(false);
    }

    private List<TimeWindow> parsed() {
        // the constructor always stores TimeWindows
        return ((TimeWindows) windows).parsed();
    }
}
