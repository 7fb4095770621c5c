package dev.keepwarm.warmer;

import java.time.Duration;

import dev.keepwarm.KeepwarmApplication;
import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.support.TestClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/** Two keepwarm replicas in front of one Ollama: the state-based decision means one load per model, not two. */
@SpringBootTest(webEnvironment = RANDOM_PORT, properties = {
        TwoReplicasTest.INTERVAL, TwoReplicasTest.RULE_0, TwoReplicasTest.KEEP_0, TwoReplicasTest.WARM_0,
        TwoReplicasTest.RULE_1, TwoReplicasTest.KEEP_1, TwoReplicasTest.WARM_1})
@Import(TestClock.class)
@DirtiesContext
class TwoReplicasTest {

    static final String INTERVAL = "keepwarm.warmer.interval=150ms";
    static final String RULE_0 = "keepwarm.policy.models[0].match=alpha";
    static final String KEEP_0 = "keepwarm.policy.models[0].keep-alive=forever";
    static final String WARM_0 = "keepwarm.policy.models[0].warm=true";
    static final String RULE_1 = "keepwarm.policy.models[1].match=beta";
    static final String KEEP_1 = "keepwarm.policy.models[1].keep-alive=forever";
    static final String WARM_1 = "keepwarm.policy.models[1].warm=true";

    private static final FakeOllama OLLAMA = FakeOllama.start(TestClock.CLOCK)
            .withModel("alpha").withModel("beta");
    private static ConfigurableApplicationContext secondReplica;

    @org.springframework.beans.factory.annotation.Autowired
    Warmer warmer;

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.upstream.url", () -> OLLAMA.url().toString());
        registry.add("management.server.port", () -> "0");
    }

    @BeforeAll
    static void startSecondReplica() {
        // command-line arguments, not builder properties: those are defaults that application.yml overrides
        String[] args = java.util.stream.Stream.of("server.port=0", "management.server.port=0",
                "keepwarm.upstream.url=" + OLLAMA.url(), INTERVAL, RULE_0, KEEP_0, WARM_0, RULE_1, KEEP_1, WARM_1)
                .map(property -> "--" + property).toArray(String[]::new);
        secondReplica = new SpringApplicationBuilder(KeepwarmApplication.class).run(args);
    }

    @AfterAll
    static void stop() {
        secondReplica.close();
        OLLAMA.close();
    }

    @Test
    void twoWarmersProduceOneLoadPerModel() throws InterruptedException {
        await().atMost(Duration.ofSeconds(10)).until(() -> OLLAMA.loaded().size() == 2);
        Thread.sleep(1_000); // several reconcile passes of both replicas
        assertThat(OLLAMA.loadCount("alpha")).isEqualTo(1);
        assertThat(OLLAMA.loadCount("beta")).isEqualTo(1);
        for (Warmer replica : new Warmer[] {warmer, secondReplica.getBean(Warmer.class)}) {
            assertThat(replica.state().upstreamUp()).as("each replica reconciles against this Ollama").isTrue();
            assertThat(replica.state().model("alpha")).hasValueSatisfying(m -> assertThat(m.resident()).isTrue());
        }
    }
}
