package dev.keepwarm.warmer;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When re-loads of one warm model count as thrashing, and how far the warmer backs off;
 * time is passed in.
 */
class ThrashTrackerTest {

    private static final Instant START = Instant.parse("2026-11-25T09:00:00Z");

    private static final Duration INTERVAL = Duration.ofSeconds(30);

    private static final Duration WINDOW = Duration.ofMinutes(10);

    private static final Duration MAX_BACKOFF = Duration.ofMinutes(3);

    private static final String MODEL = "llama3.2:latest";

    private final ThrashTracker tracker = new ThrashTracker(new WarmerProperties.Thrash(3, WINDOW, MAX_BACKOFF),
            INTERVAL);

    /**
     * The first load of the model, then {@code reloads} re-loads a second apart; the
     * answer to the last.
     */
    private Instant loadThenReload(String model, int reloads) {
        Instant backoff = tracker.recordLoad(model, START);
        for (int i = 1; i <= reloads; i++) {
            backoff = tracker.recordLoad(model, START.plusSeconds(i));
        }
        return backoff;
    }

    @Test
    void firstLoadAndReloadsBelowTheThresholdCauseNoBackOff() {
        assertThat(tracker.recordLoad(MODEL, START)).isNull();
        assertThat(tracker.recordLoad(MODEL, START.plusSeconds(1))).isNull();
        assertThat(tracker.recordLoad(MODEL, START.plusSeconds(2))).isNull();
        assertThat(tracker.thrashing(MODEL, START.plusSeconds(2))).isFalse();
    }

    @Test
    void thirdReloadWithinTheWindowBacksOffOneInterval() {
        Instant backoff = loadThenReload(MODEL, 3);

        assertThat(backoff).isEqualTo(START.plusSeconds(3).plus(INTERVAL));
        assertThat(tracker.thrashing(MODEL, START.plusSeconds(3))).isTrue();
    }

    @Test
    void eachFurtherReloadDoublesTheBackOffUpToTheMaximum() {
        loadThenReload(MODEL, 3);
        Instant now = START.plusSeconds(10);

        assertThat(tracker.recordLoad(MODEL, now)).isEqualTo(now.plus(INTERVAL.multipliedBy(2)));
        assertThat(tracker.recordLoad(MODEL, now)).isEqualTo(now.plus(INTERVAL.multipliedBy(4)));
        // 8 intervals would be 4 min
        assertThat(tracker.recordLoad(MODEL, now)).isEqualTo(now.plus(MAX_BACKOFF));
        assertThat(tracker.recordLoad(MODEL, now)).isEqualTo(now.plus(MAX_BACKOFF));
    }

    @Test
    void reloadsSpreadWiderThanTheWindowAreNoThrash() {
        tracker.recordLoad(MODEL, START);
        // any three re-loads span 12 minutes, more than the 10 minute window
        Duration apart = Duration.ofMinutes(6);

        for (int i = 1; i <= 5; i++) {
            assertThat(tracker.recordLoad(MODEL, START.plus(apart.multipliedBy(i)))).isNull();
        }
        assertThat(tracker.thrashing(MODEL, START.plus(apart.multipliedBy(5)))).isFalse();
    }

    @Test
    void thrashingEndsWhenTheWindowPassesQuietlyAndTheNextBackOffStartsFromOneIntervalAgain() {
        loadThenReload(MODEL, 5); // backed off 1, 2, then 4 intervals
        Instant later = START.plusSeconds(5).plus(WINDOW).plusSeconds(1);

        assertThat(tracker.thrashing(MODEL, later)).isFalse();

        tracker.recordLoad(MODEL, later);
        tracker.recordLoad(MODEL, later);
        assertThat(tracker.recordLoad(MODEL, later)).isEqualTo(later.plus(INTERVAL));
    }

    @Test
    void modelsAreTrackedApart() {
        loadThenReload(MODEL, 3);

        assertThat(tracker.thrashing("qwen3:8b", START.plusSeconds(3))).isFalse();
        assertThat(loadThenReload("qwen3:8b", 2)).isNull();
    }

    @Test
    void forgottenModelStartsOverWithAFirstLoad() {
        loadThenReload(MODEL, 3);

        tracker.forget(MODEL);

        assertThat(tracker.thrashing(MODEL, START.plusSeconds(3))).isFalse();
        assertThat(loadThenReload(MODEL, 2)).isNull();
    }

    @Test
    void whenFullTheQuietModelsAreForgottenAndAReloadingOneIsKept() {
        loadThenReload(MODEL, 2); // one re-load short of thrashing
        for (int i = 1; i < WarmState.MAX_MODELS; i++) {
            // loaded once each: nothing to remember
            tracker.recordLoad("quiet-" + i + ":latest", START);
        }
        tracker.recordLoad("newcomer:latest", START); // one model too many: room is made

        assertThat(tracker.recordLoad(MODEL, START.plusSeconds(3))).isEqualTo(START.plusSeconds(3).plus(INTERVAL));
        // remembered, quiet-1 would thrash at its third re-load; forgotten, this is a
        // first load and two re-loads
        assertThat(loadThenReload("quiet-1:latest", 2)).isNull();
    }

}
