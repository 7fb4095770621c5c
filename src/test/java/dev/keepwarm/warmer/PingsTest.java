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
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.LoadRoute;
import dev.keepwarm.policy.Mode;
import dev.keepwarm.policy.ModelRule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shared ping unit without a Spring context: one ping per model at a time, whoever
 * asks, against the fake Ollama. A wedged fake scheduler holds a load for as long as a
 * test needs it under way; no test waits on a timer.
 */
class PingsTest {

    private static final Instant START = Instant.parse("2026-11-25T09:00:00Z");

    private static final Duration WITHIN = Duration.ofSeconds(5);

    private static final String LLAMA = "llama3.2:latest";

    private static final String QWEN = "qwen3:8b";

    private static final ModelRule PINNED = rule("llama3.2");

    private static final MutableClock clock = MutableClock.at(START);

    private static FakeOllama ollama;

    private final WarmState state = new WarmState();

    private final Subscriptions owner = new Subscriptions();

    private Pings pings;

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
        WarmerProperties.Thrash thrash = new WarmerProperties.Thrash(3, Duration.ofMinutes(10), Duration.ofMinutes(30));
        Pinger pinger = new Pinger(OllamaClients.against(ollama.url()), state,
                new ThrashTracker(thrash, Duration.ofSeconds(30)), clock, Duration.ofSeconds(10), List.of());
        pings = new Pings(pinger, owner, clock);
    }

    @AfterEach
    void stopPings() {
        owner.destroy();
    }

    private static ModelRule rule(String match) {
        return new ModelRule(match, KeepAlive.FOREVER, Mode.OVERRIDE, null, null, true, true, Map.of(),
                LoadRoute.GENERATE, null);
    }

    private static void expectOutcome(Mono<PingOutcome> ping, PingOutcome outcome) {
        StepVerifier.create(ping).expectNext(outcome).expectComplete().verify(WITHIN);
    }

    /**
     * Waits until Ollama holds the pings a test leaves under way: one still on its way
     * when the test ends would reach the shared fake during the next test (and take a
     * fault meant for that test's ping).
     */
    private static void awaitLoadPingsReceived(int count) {
        await().atMost(WITHIN).until(() -> loadPings() == count);
    }

    private static int loadPings() {
        return ollama.received("/api/generate").size();
    }

    @Test
    void callersAskingWhileAPingIsUnderWayShareItAndOllamaGetsOnePing() {
        ollama.wedge();
        Mono<PingOutcome> loop = pings.ping(LLAMA, PINNED, PingPurpose.WARM);
        // another spelling, same model
        Mono<PingOutcome> gate = pings.ping("llama3.2", PINNED, PingPurpose.WARM);
        Mono<PingOutcome> actuator = pings.ping("Llama3.2:latest", PINNED, PingPurpose.VERIFY);

        ollama.unwedge();

        expectOutcome(loop, PingOutcome.LOADED);
        expectOutcome(gate, PingOutcome.LOADED);
        expectOutcome(actuator, PingOutcome.LOADED);
        assertThat(loadPings()).isEqualTo(1);
        assertThat(ollama.loaded()).extracting(LoadedModel::name, LoadedModel::forever)
            .containsExactly(org.assertj.core.groups.Tuple.tuple(LLAMA, true));
    }

    @Test
    void pingsOfDifferentModelsDoNotWaitForEachOther() {
        ollama.wedge();
        pings.ping(LLAMA, PINNED, PingPurpose.WARM);
        pings.ping(QWEN, rule(QWEN), PingPurpose.WARM);
        awaitLoadPingsReceived(2);

        assertThat(pings.inFlight()).extracting(Pings.InFlight::model).containsExactlyInAnyOrder(LLAMA, QWEN);
        assertThat(pings.pinging(LLAMA)).isTrue();
        assertThat(pings.pinging(QWEN)).isTrue();
    }

    @Test
    void pingUnderWayIsListedWithTheClockTimeItWasSent() {
        ollama.wedge();
        clock.advance(Duration.ofMinutes(7));
        pings.ping("llama3.2", PINNED, PingPurpose.WARM);
        awaitLoadPingsReceived(1);
        clock.advance(Duration.ofMinutes(1));

        assertThat(pings.inFlight()).singleElement().satisfies(ping -> {
            assertThat(ping.model()).isEqualTo(LLAMA);
            assertThat(ping.started()).isEqualTo(START.plus(Duration.ofMinutes(7)));
        });
    }

    @Test
    void finishedPingLetsTheNextOneStart() {
        expectOutcome(pings.ping(LLAMA, PINNED, PingPurpose.WARM), PingOutcome.LOADED);
        assertThat(pings.pinging(LLAMA)).isFalse(); // freed before its outcome was told

        expectOutcome(pings.ping(LLAMA, PINNED, PingPurpose.WARM), PingOutcome.LOADED);

        assertThat(loadPings()).isEqualTo(2);
    }

    @Test
    void callerThatAsksAgainOnTheOutcomeSendsANewPing() {
        expectOutcome(pings.ping(LLAMA, PINNED, PingPurpose.WARM)
            .flatMap(first -> pings.ping(LLAMA, PINNED, PingPurpose.WARM)), PingOutcome.LOADED);

        // not the finished ping's outcome handed out again
        assertThat(loadPings()).isEqualTo(2);
    }

    @Test
    void callerThatStopsWaitingDoesNotCancelThePing() {
        ollama.wedge();
        StepVerifier.create(pings.ping(LLAMA, PINNED, PingPurpose.WARM)).thenCancel().verify(WITHIN);
        Mono<PingOutcome> stillUnderWay = pings.ping(LLAMA, PINNED, PingPurpose.WARM);

        ollama.unwedge();

        expectOutcome(stillUnderWay, PingOutcome.LOADED);
        assertThat(ollama.cancelled()).isEmpty();
        assertThat(ollama.loaded()).extracting(LoadedModel::name).containsExactly(LLAMA);
        assertThat(loadPings()).isEqualTo(1);
    }

    @Test
    void failedPingEndsWithAFailedOutcomeAndFreesTheModel() {
        ollama.failNext("/api/generate", 500, "{\"error\":\"timed out waiting for llama-server to start\"}");

        expectOutcome(pings.ping(LLAMA, PINNED, PingPurpose.WARM), PingOutcome.FAILED);
        await().atMost(WITHIN).until(() -> !pings.pinging(LLAMA));

        expectOutcome(pings.ping(LLAMA, PINNED, PingPurpose.WARM), PingOutcome.LOADED);
    }

    @Test
    void shutdownReleasesTheCallersOfAPingThatNeverEnds() {
        ollama.wedge();
        Mono<PingOutcome> waiting = pings.ping(LLAMA, PINNED, PingPurpose.WARM);
        awaitLoadPingsReceived(1);

        owner.destroy();

        expectOutcome(waiting, PingOutcome.SKIPPED);
        assertThat(pings.pinging(LLAMA)).isFalse();
    }

}
