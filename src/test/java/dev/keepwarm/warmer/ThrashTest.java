package dev.keepwarm.warmer;

import java.time.Duration;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.support.TestClock;
import dev.keepwarm.support.WarmerTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Two pinned models that do not fit together (OLLAMA_MAX_LOADED_MODELS=1) evict each
 * other: keepwarm detects the thrashing and backs off instead of fighting Ollama's
 * scheduler in a tight loop.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.interval=100ms", "keepwarm.warmer.thrash.reloads=3",
                "keepwarm.warmer.thrash.window=10m", "keepwarm.warmer.thrash.max-backoff=1h",
                "keepwarm.policy.models[0].match=alpha", "keepwarm.policy.models[0].keep-alive=forever",
                "keepwarm.policy.models[0].warm=true", "keepwarm.policy.models[1].match=beta",
                "keepwarm.policy.models[1].keep-alive=forever", "keepwarm.policy.models[1].warm=true" })
class ThrashTest extends WarmerTestBase {

    private static final FakeOllama OLLAMA = FakeOllama.start(TestClock.CLOCK)
        .withModel("alpha")
        .withModel("beta")
        .maxLoadedModels(1);

    @Autowired
    Warmer warmer;

    @Test
    void modelsEvictingEachOtherAreMarkedThrashingAndBackedOff() {
        await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(warmer.state().models())
                .anySatisfy(model -> assertThat(model.thrashing()).isTrue()));
        // the pass that marked it, and the pings it sent, are over once a pass begun
        // after it has ended
        awaitReconcilePasses(OLLAMA, 1);
        int before = loads();
        // five passes, each finding one of the two missing: backing off, nobody loads
        awaitReconcilePasses(OLLAMA, 5);
        assertThat(loads() - before).as("loads while backing off").isLessThanOrEqualTo(2);
        assertThat(warmer.state().models()).filteredOn(ModelState::thrashing)
            .allSatisfy(model -> assertThat(model.thrash().backoffUntil()).isAfter(TestClock.CLOCK.instant()));

        // back-off over: keepwarm tries again
        TestClock.CLOCK.advance(Duration.ofHours(2));
        await().atMost(Duration.ofSeconds(5)).until(() -> loads() > before + 2);
    }

    private static int loads() {
        return OLLAMA.loadCount("alpha") + OLLAMA.loadCount("beta");
    }

}
