package dev.keepwarm.warmer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.LoadedModel;
import dev.keepwarm.fake.ModelSpec;
import dev.keepwarm.fake.MutableClock;
import dev.keepwarm.ollama.OllamaClients;
import dev.keepwarm.ollama.RunningModel;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.LoadRoute;
import dev.keepwarm.policy.Mode;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.Policies;
import dev.keepwarm.policy.PolicyProperties;
import dev.keepwarm.policy.PolicySource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One reconcile pass without a Spring context: which warm models it pings and why, on a
 * clock the test moves, against the fake Ollama. Planning is read from
 * {@link Reconciler#plan}; whole passes are checked by what the fake received.
 */
class ReconcilerTest {

    private static final Instant START = Instant.parse("2026-11-25T09:00:00Z");

    private static final Duration INTERVAL = Duration.ofSeconds(30);

    private static final Duration VERIFY_INTERVAL = Duration.ofMinutes(5);

    /** Generous: the first /api/ps of a JVM on a busy machine takes a while. */
    private static final Duration PS_TIMEOUT = Duration.ofSeconds(5);

    private static final Duration SHORT_PS_TIMEOUT = Duration.ofMillis(200);

    private static final KeepAlive TEN_MINUTES = KeepAlive.of(Duration.ofMinutes(10));

    private static final String LLAMA = "llama3.2:latest";

    private static final String QWEN = "qwen3:8b";

    private static final MutableClock clock = MutableClock.at(START);

    private static FakeOllama ollama;

    private final WarmState state = new WarmState();

    private final Subscriptions owner = new Subscriptions();

    private final WarmerProperties.Thrash thrashing = new WarmerProperties.Thrash(3, Duration.ofMinutes(10),
            Duration.ofMinutes(30));

    private WarmerProperties properties = properties(PS_TIMEOUT);

    private final ThrashTracker thrash = new ThrashTracker(thrashing, INTERVAL);

    private Pings pings;

    private Reconciler reconciler;

    @BeforeAll
    static void startOllama() {
        ollama = FakeOllama.start(clock)
            .withModel(ModelSpec.of("llama3.2").withLoadTime(Duration.ofMillis(5)))
            .withModel(ModelSpec.of(QWEN).withLoadTime(Duration.ofMillis(5)));
    }

    @AfterAll
    static void stopOllama() {
        ollama.close();
    }

    @BeforeEach
    void freshOllama() {
        ollama.reset();
        clock.set(START);
    }

    @AfterEach
    void stopPings() {
        owner.destroy();
    }

    private WarmerProperties properties(Duration psTimeout) {
        return new WarmerProperties(true, INTERVAL, Duration.ofSeconds(10), 1, psTimeout, VERIFY_INTERVAL, thrashing);
    }

    private void rules(ModelRule... rules) {
        PolicySource policies = new PolicySource(new Policies(new PolicyProperties(null, List.of(rules))));
        var client = OllamaClients.against(ollama.url());
        Pinger pinger = new Pinger(client, state, thrash, clock, properties.pingTimeout(), List.of());
        pings = new Pings(pinger, owner, clock);
        reconciler = new Reconciler(client, new WarmTargets(policies), state, pings, pinger, thrash,
                new StallDetector(state, INTERVAL), clock, properties);
    }

    private static ModelRule warm(String match, KeepAlive keepAlive) {
        return new ModelRule(match, keepAlive, Mode.OVERRIDE, null, null, true, true, Map.of(), LoadRoute.GENERATE,
                null);
    }

    private static RunningModel listed(String name, Instant expiresAt) {
        return new RunningModel(name, expiresAt, 1, 4096);
    }

    private static Instant forever() {
        return START.plus(Duration.ofDays(365L * 292));
    }

    private void pingedAt(String model, Instant when) {
        state.update(model, s -> s.pinged(PingOutcome.LOADED, when, null, true));
    }

    private List<Reconciler.Target> plan(RunningModel... running) {
        return reconciler.plan(List.of(running), clock.instant());
    }

    private void pass() {
        StepVerifier.create(reconciler.reconcile()).expectComplete().verify(Duration.ofSeconds(5));
    }

    private int loadPings() {
        return ollama.received("/api/generate").size();
    }

    @Test
    void warmModelThatIsNotLoadedIsPingedToLoadIt() {
        ModelRule rule = warm("llama3.2", KeepAlive.FOREVER);
        rules(rule);

        assertThat(plan()).containsExactly(new Reconciler.Target(LLAMA, rule, PingPurpose.WARM));
    }

    @Test
    void modelListedForeverUnderAForeverRuleIsNotPingedWhileItsLastPingIsRecent() {
        rules(warm("llama3.2", KeepAlive.FOREVER));
        pingedAt(LLAMA, START.minusSeconds(60));

        assertThat(plan(listed(LLAMA, forever()))).isEmpty();
    }

    @Test
    void modelWhoseListedExpiryIsBeyondTheNextPassIsNotPinged() {
        rules(warm("llama3.2", TEN_MINUTES));
        pingedAt(LLAMA, START.minusSeconds(60));

        assertThat(plan(listed(LLAMA, START.plus(Duration.ofMinutes(9))))).isEmpty();
    }

    @Test
    void modelThatWouldExpireBeforeTheNextPassButOneIsPingedToRearmItsTimer() {
        ModelRule rule = warm("llama3.2", TEN_MINUTES);
        rules(rule);
        pingedAt(LLAMA, START.minusSeconds(60));

        assertThat(plan(listed(LLAMA, START.plusSeconds(59))))
            .containsExactly(new Reconciler.Target(LLAMA, rule, PingPurpose.WARM));
    }

    @Test
    void pinnedModelThatAClientUnpinnedWithFiveMinutesIsPingedAgain() {
        ModelRule rule = warm("llama3.2", KeepAlive.FOREVER);
        rules(rule);
        pingedAt(LLAMA, START.minusSeconds(60));

        assertThat(plan(listed(LLAMA, START.plus(Duration.ofMinutes(5)))))
            .containsExactly(new Reconciler.Target(LLAMA, rule, PingPurpose.WARM));
    }

    @Test
    void listedPinnedModelIsVerifiedWhenNeverPingedAndAgainOnceTheVerifyIntervalHasPassed() {
        ModelRule rule = warm("llama3.2", KeepAlive.FOREVER);
        rules(rule);
        Reconciler.Target verify = new Reconciler.Target(LLAMA, rule, PingPurpose.VERIFY);

        assertThat(plan(listed(LLAMA, forever()))).containsExactly(verify);

        pingedAt(LLAMA, START);
        clock.advance(VERIFY_INTERVAL.minusSeconds(1));
        assertThat(plan(listed(LLAMA, forever()))).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        assertThat(plan(listed(LLAMA, forever()))).containsExactly(verify);
    }

    @Test
    void globRuleLoadsNothingButKeepsTheListedModelsItCoversPinned() {
        ModelRule rule = warm("qwen*", KeepAlive.FOREVER);
        rules(rule);

        assertThat(plan()).isEmpty();
        assertThat(plan(listed(QWEN, START.plus(Duration.ofMinutes(5))), listed(LLAMA, START.plusSeconds(10))))
            .containsExactly(new Reconciler.Target(QWEN, rule, PingPurpose.WARM));
    }

    @Test
    void modelNamedByTwoWarmRulesIsPingedOnceForTheFirstRule() {
        ModelRule first = warm("llama3.2", KeepAlive.FOREVER);
        rules(first, warm("LLAMA3.2:latest", TEN_MINUTES));

        assertThat(plan()).containsExactly(new Reconciler.Target(LLAMA, first, PingPurpose.WARM));
    }

    @Test
    void modelsArePingedInRuleOrder() {
        rules(warm(QWEN, KeepAlive.FOREVER), warm("llama3.2", KeepAlive.FOREVER));

        assertThat(plan()).extracting(Reconciler.Target::model).containsExactly(QWEN, LLAMA);
    }

    @Test
    void ruleWithoutWarmIsNeverPinged() {
        rules(new ModelRule("llama3.2", KeepAlive.FOREVER, Mode.OVERRIDE, null, null, false, true, Map.of(),
                LoadRoute.GENERATE, null));

        assertThat(plan()).isEmpty();
        assertThat(plan(listed(LLAMA, START.plusSeconds(5)))).isEmpty();
    }

    @Test
    void modelWhosePingIsUnderWayIsNotPingedAgain() {
        ModelRule rule = warm("llama3.2", KeepAlive.FOREVER);
        rules(rule);
        ollama.wedge(); // the load never completes: the ping stays under way
        pings.ping(LLAMA, rule, PingPurpose.WARM);

        assertThat(plan()).isEmpty();
    }

    @Test
    void thrashingModelIsSkippedDuringItsBackOffAndPingedWhenItEnds() {
        ModelRule rule = warm("llama3.2", KeepAlive.FOREVER);
        rules(rule);
        Instant backoffUntil = null;
        // a first load and three re-loads within the window
        for (int load = 0; load < 4; load++) {
            backoffUntil = thrash.recordLoad(LLAMA, START);
        }
        Instant until = backoffUntil;
        assertThat(until).isEqualTo(START.plus(INTERVAL));
        state.update(LLAMA, s -> s.thrash(true, until));

        assertThat(plan()).isEmpty();
        assertThat(state.model(LLAMA).orElseThrow().lastPing().outcome()).isEqualTo(PingOutcome.SKIPPED);

        clock.advance(INTERVAL);
        assertThat(plan()).containsExactly(new Reconciler.Target(LLAMA, rule, PingPurpose.WARM));
    }

    @Test
    void foreverRuleIsSatisfiedOnlyByAForeverExpiry() {
        ModelRule forever = warm("llama3.2", KeepAlive.FOREVER);
        ModelRule fill = new ModelRule("llama3.2", null, Mode.FILL, null, null, true, true, Map.of(),
                LoadRoute.GENERATE, null); // no keep-alive: the warmer pins forever

        assertThat(Reconciler.satisfies(listed(LLAMA, forever()), forever, START, INTERVAL)).isTrue();
        assertThat(Reconciler.satisfies(listed(LLAMA, START.plus(Duration.ofDays(365))), forever, START, INTERVAL))
            .isFalse();
        assertThat(Reconciler.satisfies(listed(LLAMA, forever()), fill, START, INTERVAL)).isTrue();
        assertThat(Reconciler.satisfies(listed(LLAMA, START.plus(Duration.ofHours(1))), fill, START, INTERVAL))
            .isFalse();
    }

    @Test
    void timedRuleIsSatisfiedUntilItsModelExpiresWithinTwoIntervals() {
        ModelRule rule = warm("llama3.2", TEN_MINUTES);
        Instant twoIntervals = START.plus(INTERVAL.multipliedBy(2));

        assertThat(Reconciler.satisfies(listed(LLAMA, twoIntervals), rule, START, INTERVAL)).isTrue();
        assertThat(Reconciler.satisfies(listed(LLAMA, twoIntervals.minusNanos(1)), rule, START, INTERVAL)).isFalse();
        assertThat(Reconciler.satisfies(listed(LLAMA, forever()), rule, START, INTERVAL)).isTrue();
    }

    @Test
    void passLoadsAWarmModelWithItsPinnedKeepAlive() {
        rules(warm("llama3.2", KeepAlive.FOREVER));

        pass();

        assertThat(ollama.loaded()).extracting(LoadedModel::name, LoadedModel::forever)
            .containsExactly(org.assertj.core.groups.Tuple.tuple(LLAMA, true));
        assertThat(state.model(LLAMA).orElseThrow().resident()).isTrue();
    }

    @Test
    void passThatFindsTheModelStillPinnedSendsNoPing() {
        rules(warm("llama3.2", KeepAlive.FOREVER));
        pass();
        assertThat(loadPings()).isEqualTo(1);

        clock.advance(INTERVAL);
        pass();

        assertThat(loadPings()).isEqualTo(1);
        assertThat(ollama.received("/api/ps")).hasSize(2);
    }

    @Test
    void hungApiPsEndsThePassAtThePsTimeoutAndNothingIsPinged() {
        properties = properties(SHORT_PS_TIMEOUT);
        rules(warm("llama3.2", KeepAlive.FOREVER));
        ollama.hang("/api/ps");

        Duration took = StepVerifier.create(reconciler.reconcile()).expectComplete().verify(Duration.ofSeconds(5));

        // the default would be 10 s: half the interval, capped
        assertThat(took).isGreaterThanOrEqualTo(SHORT_PS_TIMEOUT).isLessThan(Duration.ofSeconds(3));
        assertThat(state.timeouts(WarmState.Call.PS)).isEqualTo(1);
        assertThat(state.upstreamUp()).isFalse();
        assertThat(loadPings()).isZero();
    }

    @Test
    void duringAStallAPassSendsOneLoadProbeTheFirstInRuleOrderAndItsLoadEndsTheStall() {
        rules(warm(QWEN, KeepAlive.FOREVER), warm("llama3.2", KeepAlive.FOREVER));
        stalled();

        pass();

        assertThat(ollama.received("/api/generate")).extracting(r -> r.json().path("model").asString())
            .containsExactly(QWEN);
        assertThat(state.stall()).isEmpty();

        clock.advance(INTERVAL);
        pass();

        assertThat(ollama.loaded()).extracting(LoadedModel::name).containsExactlyInAnyOrder(QWEN, LLAMA);
    }

    @Test
    void duringAStallLoadedModelsAreNotVerified() {
        ModelRule rule = warm("llama3.2", KeepAlive.FOREVER);
        rules(rule);
        pass();
        clock.advance(VERIFY_INTERVAL);
        assertThat(plan(listed(LLAMA, forever())))
            .containsExactly(new Reconciler.Target(LLAMA, rule, PingPurpose.VERIFY));
        stalled();

        pass();

        assertThat(loadPings()).isEqualTo(1);
        assertThat(state.stall()).isPresent();
    }

    /**
     * Ollama's scheduler looks wedged: a load went unanswered and nothing has completed a
     * load since.
     */
    private void stalled() {
        state.loadUnanswered();
        state.stalled(new WarmState.Stall(clock.instant(), "other:latest", clock.instant().minus(INTERVAL)));
    }

}
