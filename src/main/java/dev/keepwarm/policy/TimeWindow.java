package dev.keepwarm.policy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One schedule window, {@code DAYS HH:MM-HH:MM}, parsed once. On each of its days a
 * window runs from its start to its end; an end at or before the start (or 24:00) is on
 * the next day, so a run belongs to the day it starts on.
 */
final class TimeWindow {

    private static final String FORM = "write DAYS HH:MM-HH:MM, such as \"MON-FRI 08:00-18:00\"";

    private static final Pattern TIMES = Pattern.compile("(\\d\\d):(\\d\\d)-(\\d\\d):(\\d\\d)");

    private static final int MINUTES_PER_DAY = 24 * 60;

    private final String text;

    private final Set<DayOfWeek> days;

    private final LocalTime start;

    private final LocalTime end;

    private final boolean endsNextDay;

    private TimeWindow(String text, Set<DayOfWeek> days, int startMinute, int endMinute) {
        this.text = text;
        this.days = days;
        this.start = LocalTime.of(startMinute / 60, startMinute % 60);
        this.end = endMinute == MINUTES_PER_DAY ? LocalTime.MIDNIGHT : LocalTime.of(endMinute / 60, endMinute % 60);
        this.endsNextDay = endMinute <= startMinute || endMinute == MINUTES_PER_DAY;
    }

    /**
     * @throws IllegalArgumentException naming the window as written and what is wrong
     * with it
     */
    static TimeWindow parse(String text) {
        if (text.isBlank()) {
            throw invalid(text, "it is empty; " + FORM);
        }
        String[] parts = text.strip().split("\\s+");
        if (parts.length != 2) {
            // "SAT,SUN 22:00-02:00" given as one comma-separated value is split by Spring
            // into "SAT" and "SUN 22:00-02:00"
            throw invalid(text, FORM + (parts.length == 1
                    ? "; list several windows as a YAML list, not one" + " comma-separated value" : ""));
        }
        Set<DayOfWeek> days = days(text, parts[0]);
        Matcher times = TIMES.matcher(parts[1]);
        if (!times.matches()) {
            throw invalid(text, "times \"" + parts[1] + "\" are not HH:MM-HH:MM, such as 08:00-18:00");
        }
        int start = minuteOfDay(text, "start", times.group(1), times.group(2), false);
        int end = minuteOfDay(text, "end", times.group(3), times.group(4), true);
        return new TimeWindow(text, days, start, end);
    }

    /**
     * A day (MON), a range that may wrap (FRI-MON), or a comma list of both
     * (MON-WED,FRI).
     */
    private static Set<DayOfWeek> days(String text, String spec) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String item : spec.split(",", -1)) {
            String[] range = item.split("-", -1);
            if (range.length > 2) {
                throw invalid(text, "\"" + item + "\" is not a day or a range of days such as MON-FRI");
            }
            DayOfWeek from = day(text, range[0]);
            DayOfWeek to = range.length == 2 ? day(text, range[1]) : from;
            for (DayOfWeek d = from;; d = d.plus(1)) {
                days.add(d);
                if (d == to) {
                    break;
                }
            }
        }
        return days;
    }

    private static DayOfWeek day(String text, String name) {
        for (DayOfWeek day : DayOfWeek.values()) {
            if (day.name().substring(0, 3).equals(name.toUpperCase(Locale.ROOT))) {
                return day;
            }
        }
        throw invalid(text, "unknown day \"" + name + "\"; days are MON, TUE, WED, THU, FRI, SAT and SUN");
    }

    private static int minuteOfDay(String text, String which, String hours, String minutes, boolean end) {
        int h = Integer.parseInt(hours);
        int m = Integer.parseInt(minutes);
        if (m > 59 || h > 24 || (h == 24 && (m > 0 || !end))) {
            throw invalid(text, which + " " + hours + ":" + minutes + " is not a time of day (00:00 to 23:59"
                    + (end ? ", or 24:00)" : ")"));
        }
        return h * 60 + m;
    }

    private static IllegalArgumentException invalid(String text, String problem) {
        return new IllegalArgumentException("invalid schedule window \"" + text + "\": " + problem);
    }

    String text() {
        return text;
    }

    /**
     * The run that starts on the date, if the window runs that day. Local times become
     * instants as ZonedDateTime resolves them: a start in a spring-forward gap moves
     * later by the gap, an ambiguous fall-back time takes the earlier instant. A run that
     * the gap swallows whole is empty.
     */
    Optional<Run> runOn(LocalDate date, ZoneId zone) {
        if (!days.contains(date.getDayOfWeek())) {
            return Optional.empty();
        }
        Instant from = ZonedDateTime.of(date, start, zone).toInstant();
        Instant to = ZonedDateTime.of(endsNextDay ? date.plusDays(1) : date, end, zone).toInstant();
        return from.isBefore(to) ? Optional.of(new Run(from, to)) : Optional.empty();
    }

    /** One run of a window: from its start (inclusive) to its end (exclusive). */
    record Run(Instant start, Instant end) {

        boolean contains(Instant instant) {
            return !instant.isBefore(start) && instant.isBefore(end);
        }
    }

}
