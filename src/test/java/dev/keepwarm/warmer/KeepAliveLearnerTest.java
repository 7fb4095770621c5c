package dev.keepwarm.warmer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.keepwarm.adaptive.AdaptiveKeepAlive.Reason;
import dev.keepwarm.adaptive.HistogramSnapshot;
import dev.keepwarm.fake.MutableClock;
import dev.keepwarm.policy.DefaultPolicy;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.Mode;
import dev.keepwarm.policy.Policy;
import dev.keepwarm.proxy.KeepAliveAdvisor.Advice;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.Disposables;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The learner on a clock the test moves, with pre-warms recorded instead of sent: what
 * each request is told to send, what is learned, and what is planned.
 */
class KeepAliveLearnerTest {

    private static final Policy ADAPTIVE = new DefaultPolicy(KeepAlive.parse("10m"), Mode.ADAPTIVE, null, null, true,
            Map.of());

    private static final Duration RHYTHM = Duration.ofMinutes(30);

    private final MutableClock clock = MutableClock.at(Instant.parse("2026-12-01T08:00:00Z"));

    private final RecordedPrewarms prewarms = new RecordedPrewarms();

    private final Map<String, Long> resident = new HashMap<>();

    private KeepAliveLearner learner = learner(null);

    private KeepAliveLearner learner(@Nullable DataSize budget) {
        return new KeepAliveLearner(properties(Duration.ofMinutes(1), budget), clock, prewarms,
                model -> resident.getOrDefault(model, 0L));
    }

    private static AdaptiveProperties properties(Duration bin, @Nullable DataSize budget) {
        return new AdaptiveProperties(bin, Duration.ofHours(4), 99, 5, "10%", 3, budget, null, Duration.ofMinutes(1));
    }

    @Test
    void aModelIsLearnedOnlyOnceOllamaAnsweredARequestForIt() {
        Advice missing = learner.started("typo", ADAPTIVE);
        assertThat(missing.keepAlive()).as("the rule's keep-alive").isNull();
        missing.ended("404");
        assertThat(learner.view("typo")).isEmpty();
        learner.started("llama3.2", ADAPTIVE).ended("200");
        assertThat(learner.view("llama3.2:latest")).hasValueSatisfying(view -> {
            assertThat(view.samples()).isZero();
            assertThat(view.reason()).isEqualTo(Reason.LEARNING);
            assertThat(view.keepAlive()).isEqualTo(KeepAlive.parse("10m"));
        });
    }

    @Test
    void overlappingRequestsAreOneUseAndTheIdleTimeStartsWhenTheLastEnds() {
        use("m");
        Advice first = learner.started("m", ADAPTIVE);
        Advice second = learner.started("m", ADAPTIVE);
        clock.advance(Duration.ofMinutes(2));
        first.ended("200");
        clock.advance(Duration.ofMinutes(3));
        second.ended("cancelled");
        clock.advance(Duration.ofMinutes(5));
        use("m");
        assertThat(learner.histories().get("m:latest").counts().get(5))
            .as("one idle time of 5 minutes: from the second request's end")
            .isEqualTo(1);
        assertThat(learner.view("m").orElseThrow().samples()).isEqualTo(2);
    }

    @Test
    void aRequestWhoseEndNeverCameStopsCountingAfterAnHourOfSilence() {
        use("m");
        learner.started("m", ADAPTIVE); // never ends
        clock.advance(KeepAliveLearner.STALE.plusMinutes(1));
        use("m");
        clock.advance(Duration.ofMinutes(5));
        use("m");
        assertThat(learner.histories().get("m:latest").counts().get(5))
            .as("the idle time after the last use is learned again")
            .isEqualTo(1);
        assertThat(learner.view("m").orElseThrow().inFlight()).isZero();
    }

    @Test
    void aRhythmGetsKeepAliveZeroAndAPrewarmBeforeTheNextUse() {
        learnRhythm("m");
        Advice learned = learner.started("m", ADAPTIVE);
        assertThat(learned.keepAlive()).isEqualTo(KeepAlive.ZERO);
        Instant end = clock.instant().plusSeconds(20);
        clock.set(end);
        learned.ended("200");
        assertThat(prewarms.plans).hasSize(1);
        Plan plan = prewarms.plans.get(0);
        assertThat(plan.at()).isEqualTo(end.plus(Duration.ofMinutes(27)));
        assertThat(plan.hold()).isEqualTo(Duration.parse("PT7M6S"));
        assertThat(learner.view("m").orElseThrow().nextPrewarm()).isEqualTo(plan.at());
    }

    @Test
    void aUseWhileThePrewarmHoldsIsAHitAndItsLoadTimeMovesTheNextOneEarlier() {
        learnRhythm("m");
        useAt("m", Duration.ZERO);
        Plan plan = prewarms.plans.get(0);
        clock.set(plan.at());
        plan.callback().loaded(Duration.ofSeconds(40));
        clock.advance(Duration.ofMinutes(3));
        use("m");
        assertThat(learner.prewarms(KeepAliveLearner.PrewarmOutcome.HIT)).isEqualTo(1);
        assertThat(plan.task().isDisposed()).as("its expiry check is cancelled").isTrue();
        Plan next = prewarms.plans.get(1);
        assertThat(next.at()).as("40 s earlier, so the model is loaded by 27 minutes")
            .isEqualTo(clock.instant().plus(Duration.ofMinutes(27)).minusSeconds(40));
    }

    @Test
    void aHoldThatRunsOutUnusedIsAMissAndAUseBeforeThePrewarmIsLate() {
        learnRhythm("m");
        useAt("m", Duration.ZERO);
        Plan expired = prewarms.plans.get(0);
        expired.callback().loaded(Duration.ZERO);
        expired.callback().expired();
        assertThat(learner.prewarms(KeepAliveLearner.PrewarmOutcome.MISS)).isEqualTo(1);
        assertThat(learner.view("m").orElseThrow().nextPrewarm()).isNull();

        clock.advance(Duration.ofHours(1));
        use("m");
        Plan cancelled = prewarms.plans.get(1);
        clock.advance(Duration.ofMinutes(10));
        use("m");
        assertThat(learner.prewarms(KeepAliveLearner.PrewarmOutcome.LATE)).isEqualTo(1);
        assertThat(cancelled.task().isDisposed()).as("the pre-warm is not sent").isTrue();
        cancelled.callback().expired(); // a callback racing the cancel changes nothing
        assertThat(learner.prewarms(KeepAliveLearner.PrewarmOutcome.MISS)).isEqualTo(1);
    }

    @Test
    void aModelItsRuleForbidsToUnloadIsHeldThroughTheWindowInstead() {
        Policy pinned = new DefaultPolicy(KeepAlive.parse("10m"), Mode.ADAPTIVE, null, null, false, Map.of());
        for (int i = 0; i <= 2; i++) {
            learner.started("m", pinned).ended("200");
            clock.advance(RHYTHM);
        }
        Advice advice = learner.started("m", pinned);
        assertThat(advice.keepAlive()).as("27 minutes until the window, 7m6s in it")
            .isEqualTo(KeepAlive.of(Duration.parse("PT34M6S")));
        advice.ended("200");
        assertThat(prewarms.plans).isEmpty();
    }

    @Test
    void theRulesMinAndMaxBoundTheLearnedKeepAlive() {
        Policy bounded = new DefaultPolicy(KeepAlive.parse("10m"), Mode.ADAPTIVE, KeepAlive.parse("2m"),
                KeepAlive.parse("3m"), true, Map.of());
        for (int i = 0; i <= 3; i++) {
            learner.started("m", bounded).ended("200");
            clock.advance(Duration.ofSeconds(10)); // every idle time in the first bin: no
                                                   // pre-warm
        }
        assertThat(learner.started("m", bounded).keepAlive()).as("66 s, raised to min")
            .isEqualTo(KeepAlive.of(Duration.ofMinutes(2)));
    }

    @Test
    void overTheBudgetTheModelOfLeastValuePerByteGetsItsMin() {
        learner = learner(DataSize.ofGigabytes(3));
        for (int i = 0; i <= 3; i++) {
            use("often");
            use("seldom");
            clock.advance(Duration.ofSeconds(10));
            use("often");
            clock.advance(Duration.ofSeconds(10));
        }
        resident.put("often:latest", 2_000_000_000L);
        resident.put("seldom:latest", 2_000_000_000L);
        Advice cut = learner.started("seldom", ADAPTIVE);
        assertThat(cut.keepAlive()).isEqualTo(KeepAlive.of(Duration.ofMinutes(1)));
        assertThat(learner.view("seldom").orElseThrow().reason()).isEqualTo(Reason.BUDGET);
        assertThat(learner.started("often", ADAPTIVE).keepAlive()).isNotEqualTo(KeepAlive.of(Duration.ofMinutes(1)));
        assertThat(learner.view("often").orElseThrow().reason()).isEqualTo(Reason.HISTOGRAM);
    }

    @Test
    void atMostMaxModelsAreLearned() {
        for (int i = 0; i < KeepAliveLearner.MAX_MODELS + 5; i++) {
            use("model-" + i);
        }
        assertThat(learner.views()).hasSize(KeepAliveLearner.MAX_MODELS);
        assertThat(learner.view("model-" + KeepAliveLearner.MAX_MODELS)).isEmpty();
    }

    @Test
    void restoredHistoriesSkipTheLearningPhaseUnlessTheirBinsDiffer() {
        learnRhythm("m");
        use("m");
        Map<String, HistogramSnapshot> saved = learner.histories();
        KeepAliveLearner restarted = learner(null);
        assertThat(restarted.restore(saved)).isEqualTo(1);
        assertThat(restarted.started("m", ADAPTIVE).keepAlive()).as("no learning after a restart")
            .isEqualTo(KeepAlive.ZERO);

        KeepAliveLearner otherBins = new KeepAliveLearner(properties(Duration.ofMinutes(2), null), clock, prewarms,
                model -> 0);
        assertThat(otherBins.restore(saved)).isZero();
        assertThat(otherBins.view("m")).isEmpty();
    }

    /**
     * Three uses 30 minutes apart (two idle times), the clock at the next: its start
     * records the third, min-samples.
     */
    private void learnRhythm(String model) {
        for (int i = 0; i <= 2; i++) {
            use(model);
            clock.advance(RHYTHM);
        }
    }

    private void use(String model) {
        useAt(model, Duration.ZERO);
    }

    private void useAt(String model, Duration lasting) {
        Advice advice = learner.started(model, ADAPTIVE);
        clock.advance(lasting);
        advice.ended("200");
    }

    private record Plan(String model, Instant at, Duration hold, KeepAliveLearner.Prewarms.Callback callback,
            Disposable task) {
    }

    private static final class RecordedPrewarms implements KeepAliveLearner.Prewarms {

        final List<Plan> plans = new ArrayList<>();

        @Override
        public Disposable plan(String model, Policy policy, Instant at, Duration hold, Callback callback) {
            Disposable task = Disposables.single();
            plans.add(new Plan(model, at, hold, callback, task));
            return task;
        }

    }

}
