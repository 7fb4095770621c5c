package dev.keepwarm.fleet;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.keepwarm.fake.Received;
import dev.keepwarm.support.FakeFleet;
import dev.keepwarm.support.FleetTestBase;
import dev.keepwarm.support.LearnedGenerate;
import dev.keepwarm.support.TestClock;
import dev.keepwarm.support.TestClockTimer;
import dev.keepwarm.warmer.KeepAliveLearner;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Adaptive mode on a fleet: one history per model whichever host served it, and the
 * pre-warm goes to the host routing sends the next request to, so the use finds it warm
 * there and nowhere else is loaded.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.policy.default.mode=adaptive", "keepwarm.policy.default.keep-alive=10m",
                "keepwarm.adaptive.min-samples=3", "keepwarm.warmer.interval=1h" })
@Import(TestClockTimer.class)
class FleetAdaptiveTest extends FleetTestBase {

    /** mistral's rendezvous order: gpu0, gpu1, gpu2. */
    private static final FakeFleet FLEET = FakeFleet.start(3,
            fake -> fake.withModel("mistral").tokens(3, Duration.ZERO));

    @Autowired
    KeepAliveLearner learner;

    @Test
    void oneHistoryPerModelAcrossHostsAndThePrewarmGoesWhereTheNextRequestWill() {
        assertThat(Rendezvous.order("mistral", FLEET.names())).containsExactly("gpu0", "gpu1", "gpu2");
        assertThat(generateOn("gpu1")).isEqualTo("gpu1");
        TestClock.CLOCK.advance(Duration.ofMinutes(30));
        assertThat(generateOn("gpu2")).isEqualTo("gpu2");
        TestClock.CLOCK.advance(Duration.ofMinutes(30));
        assertThat(generateOn(null)).isEqualTo("gpu0");
        TestClock.CLOCK.advance(Duration.ofMinutes(30));
        generateOn(null); // the third idle time: keep_alive 0 and a pre-warm
        assertThat(learner.view("mistral").orElseThrow().samples()).as("idle times seen on three hosts").isEqualTo(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> FLEET.loadedOn("mistral").isEmpty());
        Map<String, Integer> loads = FLEET.loadCounts("mistral");

        TestClock.CLOCK.advance(Duration.ofMinutes(27));
        await().atMost(Duration.ofSeconds(5)).until(() -> FLEET.loadedOn("mistral").equals(List.of("gpu0")));
        List<Received> pings = FLEET.host("gpu0").received("/api/generate");
        assertThat(pings.get(pings.size() - 1).json().has("prompt")).as("a ping: no prompt").isFalse();

        TestClock.CLOCK.advance(Duration.ofMinutes(3));
        assertThat(generateOn(null)).isEqualTo("gpu0");
        assertThat(learner.prewarms(KeepAliveLearner.PrewarmOutcome.HIT)).isEqualTo(1);
        Map<String, Integer> after = FLEET.loadCounts("mistral");
        assertThat(after.get("gpu0")).as("the pre-warm's load, none for the use").isEqualTo(loads.get("gpu0") + 1);
        assertThat(after.get("gpu1")).isEqualTo(loads.get("gpu1"));
        assertThat(after.get("gpu2")).isEqualTo(loads.get("gpu2"));
    }

    /**
     * A generate for mistral, to the named host or where routing sends it: the host that
     * answered.
     */
    private String generateOn(String host) {
        return LearnedGenerate.headers(port, "mistral", "", host, learner).getFirst(UPSTREAM);
    }

}
