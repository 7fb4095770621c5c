package dev.keepwarm.policy;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Schedule windows: days, lists and ranges, midnight, zones and DST, the next start, and
 * the errors bad ones give.
 */
class ScheduleTest {

    @ParameterizedTest(name = "\"{0}\" in {1} at {2}: {3}")
    @CsvSource(delimiter = '|', textBlock = """
            # windows (';' between several)      | zone             | instant                    | active
            MON-FRI 08:00-18:00                  | Europe/Berlin    | 2026-03-02T08:00+01:00     | true
            MON-FRI 08:00-18:00                  | Europe/Berlin    | 2026-03-02T07:59+01:00     | false
            MON-FRI 08:00-18:00                  | Europe/Berlin    | 2026-03-06T17:59+01:00     | true
            MON-FRI 08:00-18:00                  | Europe/Berlin    | 2026-03-06T18:00+01:00     | false
            MON-FRI 08:00-18:00                  | Europe/Berlin    | 2026-03-07T12:00+01:00     | false
            mon-fri 08:00-18:00                  | Europe/Berlin    | 2026-03-03T12:00+01:00     | true
            WED 09:00-10:00                      | Europe/Berlin    | 2026-03-04T09:30+01:00     | true
            WED 09:00-10:00                      | Europe/Berlin    | 2026-03-05T09:30+01:00     | false
            SAT,SUN 10:00-12:00                  | Europe/Berlin    | 2026-03-07T11:00+01:00     | true
            SAT,SUN 10:00-12:00                  | Europe/Berlin    | 2026-03-08T11:00+01:00     | true
            SAT,SUN 10:00-12:00                  | Europe/Berlin    | 2026-03-06T11:00+01:00     | false
            MON-WED,FRI 09:00-10:00              | Europe/Berlin    | 2026-03-03T09:30+01:00     | true
            MON-WED,FRI 09:00-10:00              | Europe/Berlin    | 2026-03-05T09:30+01:00     | false
            MON-WED,FRI 09:00-10:00              | Europe/Berlin    | 2026-03-06T09:30+01:00     | true
            FRI-MON 09:00-10:00                  | Europe/Berlin    | 2026-03-07T09:30+01:00     | true
            FRI-MON 09:00-10:00                  | Europe/Berlin    | 2026-03-09T09:30+01:00     | true
            FRI-MON 09:00-10:00                  | Europe/Berlin    | 2026-03-03T09:30+01:00     | false
            FRI-MON 09:00-10:00                  | Europe/Berlin    | 2026-03-05T09:30+01:00     | false
            SAT,SUN 22:00-02:00                  | Europe/Berlin    | 2026-03-07T23:00+01:00     | true
            SAT,SUN 22:00-02:00                  | Europe/Berlin    | 2026-03-08T01:00+01:00     | true
            SAT,SUN 22:00-02:00                  | Europe/Berlin    | 2026-03-08T23:00+01:00     | true
            SAT,SUN 22:00-02:00                  | Europe/Berlin    | 2026-03-09T01:00+01:00     | true
            SAT,SUN 22:00-02:00                  | Europe/Berlin    | 2026-03-07T01:00+01:00     | false
            SAT,SUN 22:00-02:00                  | Europe/Berlin    | 2026-03-09T02:00+01:00     | false
            SAT,SUN 22:00-02:00                  | Europe/Berlin    | 2026-03-07T21:59+01:00     | false
            MON 20:00-24:00                      | Europe/Berlin    | 2026-03-02T23:59+01:00     | true
            MON 20:00-24:00                      | Europe/Berlin    | 2026-03-03T00:00+01:00     | false
            MON 20:00-24:00                      | Europe/Berlin    | 2026-03-02T19:59+01:00     | false
            MON 00:00-24:00                      | Europe/Berlin    | 2026-03-02T00:00+01:00     | true
            MON 00:00-24:00                      | Europe/Berlin    | 2026-03-02T23:59:59+01:00  | true
            MON 00:00-24:00                      | Europe/Berlin    | 2026-03-01T23:59+01:00     | false
            MON 00:00-24:00                      | Europe/Berlin    | 2026-03-03T00:00+01:00     | false
            MON 08:00-08:00                      | Europe/Berlin    | 2026-03-03T07:59+01:00     | true
            MON 08:00-08:00                      | Europe/Berlin    | 2026-03-03T08:00+01:00     | false
            MON 08:00-08:00                      | Europe/Berlin    | 2026-03-02T07:59+01:00     | false
            MON 08:00-09:00;MON 17:00-18:00      | Europe/Berlin    | 2026-03-02T08:30+01:00     | true
            MON 08:00-09:00;MON 17:00-18:00      | Europe/Berlin    | 2026-03-02T12:00+01:00     | false
            MON 08:00-09:00;MON 17:00-18:00      | Europe/Berlin    | 2026-03-02T17:30+01:00     | true
            MON-FRI 08:00-18:00                  | Europe/Berlin    | 2026-03-02T07:30Z          | true
            MON-FRI 08:00-18:00                  | Europe/Berlin    | 2026-03-02T17:30Z          | false
            MON-FRI 08:00-18:00                  | Europe/Berlin    | 2026-07-06T06:30Z          | true
            MON-FRI 08:00-18:00                  | Europe/Berlin    | 2026-07-06T16:30Z          | false
            MON-FRI 08:00-18:00                  | America/New_York | 2026-03-02T13:00Z          | true
            MON-FRI 08:00-18:00                  | America/New_York | 2026-03-02T12:59Z          | false
            MON-FRI 08:00-18:00                  | Asia/Kolkata     | 2026-03-02T02:30Z          | true
            MON-FRI 08:00-18:00                  | Asia/Kolkata     | 2026-03-02T02:29Z          | false
            MON-FRI 08:00-18:00                  | UTC              | 2026-03-02T08:00Z          | true
            SUN 02:30-04:00                      | Europe/Berlin    | 2026-03-29T03:15+02:00     | false
            SUN 02:30-04:00                      | Europe/Berlin    | 2026-03-29T03:30+02:00     | true
            SUN 02:30-04:00                      | Europe/Berlin    | 2026-03-29T04:00+02:00     | false
            SUN 01:00-03:30                      | Europe/Berlin    | 2026-03-29T01:59+01:00     | true
            SUN 01:00-03:30                      | Europe/Berlin    | 2026-03-29T03:00+02:00     | true
            SUN 01:00-03:30                      | Europe/Berlin    | 2026-03-29T03:30+02:00     | false
            MON-FRI 08:00-18:00                  | Europe/Berlin    | 2026-03-30T08:00+02:00     | true
            MON-FRI 08:00-18:00                  | Europe/Berlin    | 2026-03-30T07:59+02:00     | false
            SAT 22:00-06:00                      | Europe/Berlin    | 2026-03-29T05:59+02:00     | true
            SAT 22:00-06:00                      | Europe/Berlin    | 2026-03-29T06:00+02:00     | false
            SAT 22:00-06:00                      | Europe/Berlin    | 2026-10-25T02:30+01:00     | true
            SAT 22:00-06:00                      | Europe/Berlin    | 2026-10-25T05:59+01:00     | true
            SAT 22:00-06:00                      | Europe/Berlin    | 2026-10-25T06:00+01:00     | false
            SUN 02:30-03:00                      | Europe/Berlin    | 2026-10-25T02:29+02:00     | false
            SUN 02:30-03:00                      | Europe/Berlin    | 2026-10-25T02:30+02:00     | true
            SUN 02:30-03:00                      | Europe/Berlin    | 2026-10-25T02:45+01:00     | true
            SUN 02:30-03:00                      | Europe/Berlin    | 2026-10-25T03:00+01:00     | false
            """)
    void activeAtFollowsTheWindowsInTheirZone(String windows, String zone, String instant, boolean active) {
        assertThat(schedule(windows, zone).activeAt(instant(instant))).isEqualTo(active);
    }

    @ParameterizedTest(name = "\"{0}\" in {1} after {2}: {3}")
    @CsvSource(delimiter = '|',
            textBlock = """
                    # windows (';' between several)      | zone             | after                      | next start
                    MON-FRI 08:00-18:00                  | Europe/Berlin    | 2026-03-06T19:00+01:00     | 2026-03-09T08:00+01:00
                    MON-FRI 08:00-18:00                  | Europe/Berlin    | 2026-03-02T08:00+01:00     | 2026-03-03T08:00+01:00
                    MON-FRI 08:00-18:00                  | Europe/Berlin    | 2026-03-02T07:59+01:00     | 2026-03-02T08:00+01:00
                    MON-FRI 08:00-18:00                  | Europe/Berlin    | 2026-03-02T10:00+01:00     | 2026-03-03T08:00+01:00
                    SAT,SUN 22:00-02:00                  | Europe/Berlin    | 2026-03-07T23:00+01:00     | 2026-03-08T22:00+01:00
                    SAT,SUN 22:00-02:00                  | Europe/Berlin    | 2026-03-08T23:00+01:00     | 2026-03-14T22:00+01:00
                    MON 08:00-09:00;MON 17:00-18:00      | Europe/Berlin    | 2026-03-02T08:30+01:00     | 2026-03-02T17:00+01:00
                    WED 12:00-13:00                      | Europe/Berlin    | 2026-03-04T12:00+01:00     | 2026-03-11T12:00+01:00
                    MON 09:00-10:00                      | America/New_York | 2026-03-02T00:00Z          | 2026-03-02T14:00Z
                    SUN 02:30-04:00                      | Europe/Berlin    | 2026-03-28T12:00+01:00     | 2026-03-29T03:30+02:00
                    MON-FRI 08:00-18:00                  | Europe/Berlin    | 2026-03-27T19:00+01:00     | 2026-03-30T08:00+02:00
                    SUN 02:30-03:00                      | Europe/Berlin    | 2026-10-24T12:00+02:00     | 2026-10-25T02:30+02:00
                    """)
    void nextStartIsTheFirstWindowStartStrictlyAfter(String windows, String zone, String after, String expected) {
        assertThat(schedule(windows, zone).nextStart(instant(after))).contains(instant(expected));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(delimiter = '|',
            textBlock = """
                    MON-FRI 8-18             | times "8-18" are not HH:MM-HH:MM, such as 08:00-18:00
                    XYZ 08:00-09:00          | unknown day "XYZ"; days are MON, TUE, WED, THU, FRI, SAT and SUN
                    monday 08:00-09:00       | unknown day "monday"
                    MON- 08:00-09:00         | unknown day ""
                    MON-FRI-SUN 08:00-09:00  | "MON-FRI-SUN" is not a day or a range of days
                    MON 25:00-26:00          | start 25:00 is not a time of day (00:00 to 23:59)
                    MON 24:00-02:00          | start 24:00 is not a time of day (00:00 to 23:59)
                    MON 08:60-09:00          | start 08:60 is not a time of day
                    MON 08:00-24:30          | end 24:30 is not a time of day (00:00 to 23:59, or 24:00)
                    SAT                      | write DAYS HH:MM-HH:MM, such as "MON-FRI 08:00-18:00"; list several windows as a YAML list
                    MON 08:00 - 18:00        | write DAYS HH:MM-HH:MM
                    ''                       | it is empty
                    """)
    void badWindowIsRejectedNamingItAndTheProblem(String window, String problem) {
        assertThatIllegalArgumentException()
            .isThrownBy(() -> new Schedule(ZoneId.of("UTC"), List.of("MON 08:00-09:00", window), null))
            .withMessageStartingWith("invalid schedule window \"" + window + "\": ")
            .withMessageContaining(problem);
    }

    @Test
    void scheduleWithoutWindowsIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Schedule(ZoneId.of("UTC"), List.of(), null))
            .withMessage("a schedule needs at least one window in windows, such as \"MON-FRI 08:00-18:00\"");
        assertThatIllegalArgumentException().isThrownBy(() -> new Schedule(ZoneId.of("UTC"), null, null))
            .withMessageContaining("at least one window");
    }

    @Test
    void omittedZoneIsTheSystemZoneAndOffHoursKeepAliveFiveMinutes() {
        Schedule schedule = new Schedule(null, List.of("MON 08:00-09:00"), null);

        assertThat(schedule.zone()).isEqualTo(ZoneId.systemDefault());
        assertThat(schedule.offHoursKeepAlive()).isEqualTo(KeepAlive.of(Duration.ofMinutes(5)));
    }

    @Test
    void windowsReadAsWrittenAndCompareByValue() {
        Schedule schedule = schedule("sat,sun 22:00-02:00;MON-FRI 08:00-18:00", "Europe/Berlin");

        assertThat(schedule.windows()).containsExactly("sat,sun 22:00-02:00", "MON-FRI 08:00-18:00");
        assertThat(schedule).isEqualTo(schedule("sat,sun 22:00-02:00;MON-FRI 08:00-18:00", "Europe/Berlin"))
            .hasSameHashCodeAs(schedule("sat,sun 22:00-02:00;MON-FRI 08:00-18:00", "Europe/Berlin"))
            .isNotEqualTo(schedule("sat,sun 22:00-02:00;MON-FRI 08:00-18:00", "UTC"));
    }

    private static Schedule schedule(String windows, String zone) {
        return new Schedule(ZoneId.of(zone), Arrays.asList(windows.split(";")), KeepAlive.parse("5m"));
    }

    private static Instant instant(String offsetDateTime) {
        return OffsetDateTime.parse(offsetDateTime).toInstant();
    }

}
