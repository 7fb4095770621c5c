package dev.keepwarm.warmer;

import java.time.Duration;
import java.util.stream.Stream;

import dev.keepwarm.KeepwarmApplication;
import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.support.TestClock;
import dev.keepwarm.support.WarmerCalls;
import dev.keepwarm.support.WarmerTestBase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Two keepwarm replicas in front of one Ollama: the state-based decision means one load
 * per model, not two.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { TwoReplicasTest.INTERVAL, TwoReplicasTest.RULE_0, TwoReplicasTest.KEEP_0, TwoReplicasTest.WARM_0,
                TwoReplicasTest.RULE_1, TwoReplicasTest.KEEP_1, TwoReplicasTest.WARM_1 })
class TwoReplicasTest extends WarmerTestBase {

    static final String INTERVAL = "keepwarm.warmer.interval=150ms";
    static final String RULE_0 = "keepwarm.policy.models[0].match=alpha";
    static final String KEEP_0 = "keepwarm.policy.models[0].keep-alive=forever";
    static final String WARM_0 = "keepwarm.policy.models[0].warm=true";
    static final String RULE_1 = "keepwarm.policy.models[1].match=beta";
    static final String KEEP_1 = "keepwarm.policy.models[1].keep-alive=forever";
    static final String WARM_1 = "keepwarm.policy.models[1].warm=true";

    /**
     * Warmer calls of one replica that prove it reconciled after both models were listed:
     * the pass under way then ends at most five more (its /api/ps, and /api/show and a
     * ping for each model; loads here are shorter than an interval, so no ping outlives
     * its pass), so the sixth belongs to a pass that began later and read both listed.
     */
    private static final int CALLS_PAST_A_PASS = 6;

    private static final FakeOllama OLLAMA = FakeOllama.start(TestClock.CLOCK).withModel("alpha").withModel("beta");

    private static ConfigurableApplicationContext secondReplica;

    @Autowired
    Warmer warmer;

    @Autowired
    ApplicationContext firstReplica;

    @BeforeAll
    static void startSecondReplica() {
        // command-line arguments, not builder properties: those are defaults that
        // application.yml overrides
        String[] args = Stream
            .of("server.port=0", "management.server.port=0", "keepwarm.upstream.url=" + OLLAMA.url(), INTERVAL, RULE_0,
                    KEEP_0, WARM_0, RULE_1, KEEP_1, WARM_1)
            .map(property -> "--" + property)
            .toArray(String[]::new);
        secondReplica = new SpringApplicationBuilder(KeepwarmApplication.class).run(args);
    }

    @AfterAll
    static void stopSecondReplica() {
        secondReplica.close();
    }

    @Test
    void twoWarmersProduceOneLoadPerModel() {
        await().atMost(Duration.ofSeconds(10)).until(() -> OLLAMA.loaded().size() == 2);
        long first = WarmerCalls.ended(firstReplica);
        long second = WarmerCalls.ended(secondReplica);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> WarmerCalls.ended(firstReplica) >= first + CALLS_PAST_A_PASS
                    && WarmerCalls.ended(secondReplica) >= second + CALLS_PAST_A_PASS);
        assertThat(OLLAMA.loadCount("alpha")).isEqualTo(1);
        assertThat(OLLAMA.loadCount("beta")).isEqualTo(1);
        for (Warmer replica : new Warmer[] { warmer, secondReplica.getBean(Warmer.class) }) {
            assertThat(replica.state().upstreamUp()).as("each replica reconciles against this Ollama").isTrue();
            assertThat(replica.state().model("alpha")).hasValueSatisfying(m -> assertThat(m.resident()).isTrue());
        }
    }

}
