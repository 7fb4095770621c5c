package dev.keepwarm.warmer;

import java.time.Duration;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.ModelSpec;
import dev.keepwarm.support.LearnedGenerate;
import dev.keepwarm.support.TestClock;
import dev.keepwarm.support.WarmerTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * The memory budget on the fake Ollama: two 2 GB models in adaptive mode under a 3 GB
 * budget, sizes from /api/ps; the one used less often gets its rule's min, the other
 * keeps its learned keep_alive.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.policy.default.mode=adaptive", "keepwarm.policy.default.keep-alive=10m",
                "keepwarm.policy.default.min=10s", "keepwarm.adaptive.min-samples=3",
                "keepwarm.adaptive.memory-budget=3GB", "keepwarm.warmer.interval=100ms" })
class AdaptiveBudgetTest extends WarmerTestBase {

    private static final long TWO_GB = 2_000_000_000L;

    private static final FakeOllama OLLAMA = FakeOllama.start(TestClock.CLOCK)
        .withModel(ModelSpec.of("often").withSizeBytes(TWO_GB))
        .withModel(ModelSpec.of("seldom").withSizeBytes(TWO_GB));

    @LocalServerPort
    int port;

    @Autowired
    KeepAliveLearner learner;

    @Test
    void overTheBudgetTheModelUsedLessOftenGetsItsMin() {
        for (int i = 0; i < 4; i++) {
            generate("often");
            generate("seldom");
            TestClock.CLOCK.advance(Duration.ofSeconds(10));
            generate("often");
            TestClock.CLOCK.advance(Duration.ofSeconds(10));
        }
        generate("often");
        generate("seldom");
        assertThat(OLLAMA.loaded()).hasSize(2);
        awaitReconcilePasses(OLLAMA, 1); // /api/ps has listed both, with their sizes
        // idle times of 10 and 20 s: 1 minute's bin plus 10%, unless cut to min
        assertThat(generate("seldom")).isEqualTo("10s; rule=default; action=adaptive");
        assertThat(learner.view("seldom").orElseThrow().reason().tag()).isEqualTo("budget");
        assertThat(generate("often")).isEqualTo("1m6s; rule=default; action=adaptive");
        assertThat(learner.view("often").orElseThrow().reason().tag()).isEqualTo("histogram");
    }

    private String generate(String model) {
        return LearnedGenerate.keepAlive(port, model, learner);
    }

}
