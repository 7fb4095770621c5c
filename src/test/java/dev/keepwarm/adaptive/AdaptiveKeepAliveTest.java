package dev.keepwarm.adaptive;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import dev.keepwarm.adaptive.AdaptiveKeepAlive.Choice;
import dev.keepwarm.adaptive.AdaptiveKeepAlive.Reason;
import dev.keepwarm.adaptive.AdaptiveKeepAlive.Settings;
import dev.keepwarm.policy.KeepAlive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The adaptive decision as a table: a model's idle times in (1-minute bins up to 4
 * hours), what it is sent and when it is pre-warmed out. The request ends at
 * {@link #END}; the rule's keep-alive is 10 minutes, min 1 minute, max 4 hours, the
 * paper's percentiles (99, 5) and margin (10%) unless a row says otherwise.
 */
class AdaptiveKeepAliveTest {

    private static final Instant END = Instant.parse("2026-12-03T09:00:00Z");

    private static final KeepAlive RULE = KeepAlive.of(Duration.ofMinutes(10));

    private static final Settings SETTINGS = Settings.of(Duration.ofMinutes(1), Duration.ofHours(4));

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void eachModelGetsTheKeepAliveItsHistorySays(String label, List<Duration> idle, Settings settings, Instant now,
            Choice expected) {
        IdleHistogram history = IdleHistogramTest.histogram(idle.toArray(Duration[]::new));
        assertThat(AdaptiveKeepAlive.decide(history, RULE, settings, END, now)).isEqualTo(expected);
        assertThat(AdaptiveKeepAlive.decide(history.snapshot(), RULE, settings, END, now)).isEqualTo(expected);
    }

    static Stream<Arguments> table() {
        List<Duration> everyThirtyMinutes = spread(20, Duration.ofMinutes(29).plusSeconds(40), Duration.ofSeconds(2));
        List<Duration> everySixHours = spread(12, Duration.ofHours(6).minusSeconds(330), Duration.ofMinutes(1));
        return Stream.of(
                row("a model with a thin history gets the rule's keep-alive", times(9, seconds(40)), SETTINGS, END,
                        keep(RULE, Reason.LEARNING)),
                row("a burst of sub-minute gaps gives keep_alive 1m + margin", times(20, seconds(40)), SETTINGS, END,
                        keep(seconds(66), Reason.HISTOGRAM)),
                row("a model used every 30 min is unloaded after each use and pre-warmed ~30 min later",
                        everyThirtyMinutes, SETTINGS, END,
                        prewarm(Reason.HISTOGRAM, minutes(26).plusSeconds(6), minutes(8))),
                row("a 2-minute load time starts the pre-warm 2 minutes earlier", everyThirtyMinutes,
                        SETTINGS.withLoadTime(minutes(2)), END,
                        prewarm(Reason.HISTOGRAM, minutes(24).plusSeconds(6), minutes(8))),
                row("a load longer than the gap keeps the model through its window instead of unloading it",
                        everyThirtyMinutes, SETTINGS.withLoadTime(minutes(27)), END,
                        keep(minutes(34).plusSeconds(6), Reason.HISTOGRAM)),
                row("decided 4 minutes after the request ended, keep_alive covers what is left of the window",
                        everyThirtyMinutes, SETTINGS.withLoadTime(minutes(27)), END.plus(minutes(4)),
                        keep(minutes(30).plusSeconds(6), Reason.HISTOGRAM)),
                row("a learned keep_alive below min is raised to min", times(20, seconds(40)),
                        Settings.of(minutes(5), Duration.ofHours(4)), END, keep(minutes(5), Reason.HISTOGRAM)),
                row("bursts with a 3-hour lull are kept at most max", burstsAndLulls(),
                        Settings.of(minutes(1), Duration.ofHours(1)), END, keep(Duration.ofHours(1), Reason.HISTOGRAM)),
                row("bursts with a 3-hour lull are kept through the lull and its margin", burstsAndLulls(), SETTINGS,
                        END, keep(minutes(199).plusSeconds(6), Reason.HISTOGRAM)),
                row("idle times spread over the whole range are not trusted: the rule's keep-alive",
                        spread(240, seconds(30), minutes(1)), SETTINGS, END, keep(RULE, Reason.LEARNING)),
                row("a model used every ~6 hours is unloaded and pre-warmed from its forecast", everySixHours, SETTINGS,
                        END, prewarm(Reason.FORECAST, Duration.ofHours(5).plusMinutes(6), minutes(108))),
                row("a forecast pre-warm already past keeps the model for the rest of its window", everySixHours,
                        SETTINGS, END.plus(Duration.ofHours(5).plusMinutes(30)), keep(minutes(84), Reason.FORECAST)),
                row("half out of bounds is not most: the histogram decides",
                        concat(times(10, minutes(30).plusSeconds(20)), times(10, Duration.ofHours(6))), SETTINGS, END,
                        prewarm(Reason.HISTOGRAM, minutes(27), minutes(7).plusSeconds(6))),
                row("mostly out of bounds but too few idle times is still learning", times(9, Duration.ofHours(6)),
                        SETTINGS, END, keep(RULE, Reason.LEARNING)),
                row("a thin history with fewer samples required is trusted sooner", times(3, seconds(40)),
                        SETTINGS.withMinSamples(3), END, keep(seconds(66), Reason.HISTOGRAM)));
    }

    @Test
    void aForeverRuleStaysForeverWhileLearning() {
        Choice choice = AdaptiveKeepAlive.decide(new IdleHistogram(Duration.ofMinutes(1), Duration.ofHours(4)),
                KeepAlive.FOREVER, SETTINGS, END, END);
        assertThat(choice).isEqualTo(keep(KeepAlive.FOREVER, Reason.LEARNING));
    }

    @Test
    void mostlyOutOfBoundsWithNoRecentIdleTimesKeptIsStillLearning() {
        IdleHistogram history = new IdleHistogram(Duration.ofMinutes(1), Duration.ofHours(4), 0);
        times(12, Duration.ofHours(6)).forEach(history::record);
        assertThat(AdaptiveKeepAlive.decide(history, RULE, SETTINGS, END, END)).isEqualTo(keep(RULE, Reason.LEARNING));
    }

    @Test
    void theBudgetCutsAChoiceToTheShorterKeepAliveAndDropsItsPrewarm() {
        Choice prewarm = prewarm(Reason.HISTOGRAM, minutes(26), minutes(8));
        assertThat(prewarm.budgeted(KeepAlive.of(minutes(1)))).isEqualTo(keep(KeepAlive.ZERO, Reason.BUDGET));
        assertThat(keep(minutes(30), Reason.HISTOGRAM).budgeted(KeepAlive.of(minutes(1))))
            .isEqualTo(keep(minutes(1), Reason.BUDGET));
        assertThat(Reason.BUDGET.tag()).isEqualTo("budget");
        assertThatIllegalArgumentException().isThrownBy(() -> new Choice(KeepAlive.ZERO, Reason.HISTOGRAM, END, null));
    }

    @Test
    void settingsOutOfTheirRangeAreRejectedWithTheirValues() {
        Duration min = minutes(1);
        Duration max = Duration.ofHours(4);
        assertThatIllegalArgumentException().isThrownBy(() -> Settings.of(max, min))
            .withMessageContaining("min (PT4H) and max (PT1M)");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> new Settings(min, max, 5, 99, 0.1, 10, 2, 0.5, 0.15, Duration.ZERO))
            .withMessageContaining("prewarm (99.0) <= keep-alive (5.0)");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> new Settings(min, max, 99, 5, 1, 10, 2, 0.5, 0.15, Duration.ZERO))
            .withMessageContaining("margin must be at least 0 and below 1, not 1.0");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> new Settings(min, max, 99, 5, 0.1, 10, 2, 1.5, 0.15, Duration.ZERO))
            .withMessageContaining("out-of-bounds share must be 0 to 1");
        assertThatIllegalArgumentException().isThrownBy(() -> SETTINGS.withMinSamples(0))
            .withMessageContaining("min samples (0)");
        assertThatIllegalArgumentException().isThrownBy(() -> SETTINGS.withLoadTime(Duration.ofSeconds(-1)));
    }

    /** Idle times start, start + step, ... */
    private static List<Duration> spread(int count, Duration start, Duration step) {
        List<Duration> idle = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            idle.add(start.plus(step.multipliedBy(i)));
        }
        return idle;
    }

    /** 10 gaps of 30 s, then one of 3 h, five times: p5 in the first bin, p99 at 3 h. */
    private static List<Duration> burstsAndLulls() {
        List<Duration> idle = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            idle.addAll(times(10, seconds(30)));
            idle.add(Duration.ofHours(3));
        }
        return idle;
    }

    private static List<Duration> times(int count, Duration idle) {
        return Collections.nCopies(count, idle);
    }

    private static List<Duration> concat(List<Duration> first, List<Duration> second) {
        return Stream.concat(first.stream(), second.stream()).toList();
    }

    private static Arguments row(String label, List<Duration> idle, Settings settings, Instant now, Choice expected) {
        return Arguments.of(label, idle, settings, now, expected);
    }

    private static Choice keep(Duration keepAlive, Reason reason) {
        return keep(KeepAlive.of(keepAlive), reason);
    }

    private static Choice keep(KeepAlive keepAlive, Reason reason) {
        return new Choice(keepAlive, reason, null, null);
    }

    private static Choice prewarm(Reason reason, Duration afterEnd, Duration holdFor) {
        return new Choice(KeepAlive.ZERO, reason, END.plus(afterEnd), holdFor);
    }

    private static Duration seconds(long seconds) {
        return Duration.ofSeconds(seconds);
    }

    private static Duration minutes(long minutes) {
        return Duration.ofMinutes(minutes);
    }

}
