package dev.keepwarm.fleet;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.keepwarm.KeepwarmApplication;
import dev.keepwarm.support.FakeFleet;
import dev.keepwarm.support.FleetTestBase;
import dev.keepwarm.support.WarmerCalls;
import dev.keepwarm.warmer.FleetWarmer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Two keepwarm replicas in front of the same three hosts, without talking to each other:
 * they place every warm model on the same hosts, so each copy is loaded once, and fail
 * over to the same hosts when one goes away.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { TwoKeepwarmsOneFleetTest.INTERVAL, TwoKeepwarmsOneFleetTest.PS_TIMEOUT,
                TwoKeepwarmsOneFleetTest.BREAKER, TwoKeepwarmsOneFleetTest.RETRY, TwoKeepwarmsOneFleetTest.MATCH_0,
                TwoKeepwarmsOneFleetTest.KEEP_0, TwoKeepwarmsOneFleetTest.WARM_0, TwoKeepwarmsOneFleetTest.REPLICAS_0,
                TwoKeepwarmsOneFleetTest.MATCH_1, TwoKeepwarmsOneFleetTest.KEEP_1, TwoKeepwarmsOneFleetTest.WARM_1,
                TwoKeepwarmsOneFleetTest.REPLICAS_1, TwoKeepwarmsOneFleetTest.MATCH_2, TwoKeepwarmsOneFleetTest.KEEP_2,
                TwoKeepwarmsOneFleetTest.WARM_2, TwoKeepwarmsOneFleetTest.REPLICAS_2 })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoKeepwarmsOneFleetTest extends FleetTestBase {

    static final String INTERVAL = "keepwarm.warmer.interval=500ms";

    /**
     * Nearly the interval, not the default half of it: two keepwarms and three fakes
     * share this JVM, and a host whose /api/ps is late counts as failed (its models are
     * placed elsewhere in that pass).
     */
    static final String PS_TIMEOUT = "keepwarm.warmer.ps-timeout=450ms";

    static final String BREAKER = "resilience4j.circuitbreaker.instances.ollama.wait-duration-in-open-state=700ms";

    static final String RETRY = "resilience4j.retry.instances.ollama.wait-duration=20ms";

    static final String MATCH_0 = "keepwarm.policy.models[0].match=llama3.2:1b";

    static final String KEEP_0 = "keepwarm.policy.models[0].keep-alive=forever";

    static final String WARM_0 = "keepwarm.policy.models[0].warm=true";

    static final String REPLICAS_0 = "keepwarm.policy.models[0].replicas=1";

    static final String MATCH_1 = "keepwarm.policy.models[1].match=qwen2.5:7b";

    static final String KEEP_1 = "keepwarm.policy.models[1].keep-alive=forever";

    static final String WARM_1 = "keepwarm.policy.models[1].warm=true";

    static final String REPLICAS_1 = "keepwarm.policy.models[1].replicas=2";

    static final String MATCH_2 = "keepwarm.policy.models[2].match=mistral";

    static final String KEEP_2 = "keepwarm.policy.models[2].keep-alive=forever";

    static final String WARM_2 = "keepwarm.policy.models[2].warm=true";

    static final String REPLICAS_2 = "keepwarm.policy.models[2].replicas=all";

    /**
     * Warmer calls of one replica that span several of its passes: each pass asks every
     * host for /api/ps and /api/tags (six calls) before its pings.
     */
    private static final int CALLS_OF_THREE_PASSES = 18;

    private static final FakeFleet FLEET = FakeFleet.start(3,
            fake -> fake.withModel("llama3.2:1b").withModel("qwen2.5:7b").withModel("mistral"));

    private static final Map<String, List<String>> PLACED = Map.of("llama3.2:1b", List.of("gpu2"), "qwen2.5:7b",
            List.of("gpu1", "gpu0"), "mistral", List.of("gpu0", "gpu1", "gpu2"));

    private static ConfigurableApplicationContext secondReplica;

    @Autowired
    ApplicationContext firstReplica;

    @Autowired
    FleetWarmer fleet;

    @BeforeAll
    static void startSecondReplica() {
        // command-line arguments, not builder properties: those are defaults that
        // application.yml overrides
        Stream<String> hosts = FLEET.properties().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue());
        String[] args = Stream
            .concat(Stream.of("server.port=0", "management.server.port=0", INTERVAL, PS_TIMEOUT, BREAKER, RETRY,
                    MATCH_0, KEEP_0, WARM_0, REPLICAS_0, MATCH_1, KEEP_1, WARM_1, REPLICAS_1, MATCH_2, KEEP_2, WARM_2,
                    REPLICAS_2), hosts)
            .map(property -> "--" + property)
            .toArray(String[]::new);
        secondReplica = new SpringApplicationBuilder(KeepwarmApplication.class).run(args);
    }

    @AfterAll
    static void stopSecondReplica() {
        secondReplica.close();
    }

    @Test
    @Order(1)
    void bothReplicasPlaceEveryWarmModelOnTheSameHostsAndEachCopyIsLoadedOnce() {
        PLACED.forEach((model, hosts) -> awaitPinnedOn(FLEET, model, hosts));
        long first = WarmerCalls.ended(firstReplica);
        long second = WarmerCalls.ended(secondReplica);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> WarmerCalls.ended(firstReplica) >= first + CALLS_OF_THREE_PASSES
                    && WarmerCalls.ended(secondReplica) >= second + CALLS_OF_THREE_PASSES);

        FleetWarmer other = secondReplica.getBean(FleetWarmer.class);
        PLACED.forEach((model, hosts) -> {
            assertThat(fleet.plan().hostsFor(model)).as("first replica's placement of %s", model)
                .containsExactlyInAnyOrderElementsOf(hosts);
            assertThat(other.plan().hostsFor(model)).as("second replica's placement of %s", model)
                .containsExactlyInAnyOrderElementsOf(hosts);
            assertThat(FLEET.pinnedOn(model)).as("hosts where %s is pinned", model)
                .containsExactlyInAnyOrderElementsOf(hosts);
            FLEET.loadCounts(model)
                .forEach((host, loads) -> assertThat(loads).as("loads of %s on %s", model, host)
                    .isEqualTo(hosts.contains(host) ? 1 : 0));
        });
    }

    @Test
    @Order(2)
    void bothReplicasFailOverToTheSameHostsAndLoadEachCopyOnce() {
        PLACED.forEach((model, hosts) -> awaitPinnedOn(FLEET, model, hosts));
        FleetWarmer other = secondReplica.getBean(FleetWarmer.class);

        FLEET.host("gpu2").stop();
        // llama3.2:1b goes to gpu0, the next of its order; mistral (all) keeps the two
        // left
        await().atMost(PLACE_WAIT).until(() -> FLEET.pinnedOn("llama3.2:1b").equals(List.of("gpu0")));
        await().atMost(PLACE_WAIT)
            .until(() -> fleet.plan().hostsFor("llama3.2:1b").equals(List.of("gpu0"))
                    && other.plan().hostsFor("llama3.2:1b").equals(List.of("gpu0")));
        long first = WarmerCalls.ended(firstReplica);
        long second = WarmerCalls.ended(secondReplica);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> WarmerCalls.ended(firstReplica) >= first + CALLS_OF_THREE_PASSES
                    && WarmerCalls.ended(secondReplica) >= second + CALLS_OF_THREE_PASSES);

        assertThat(FLEET.host("gpu0").loadCount("llama3.2:1b")).as("loads of llama3.2:1b on gpu0").isEqualTo(1);
        assertThat(FLEET.host("gpu1").loadCount("llama3.2:1b")).as("loads of llama3.2:1b on gpu1").isZero();
        for (FleetWarmer replica : List.of(fleet, other)) {
            assertThat(replica.plan().hostsFor("mistral")).containsExactlyInAnyOrder("gpu0", "gpu1");
            assertThat(replica.plan().hostsFor("qwen2.5:7b")).containsExactlyInAnyOrder("gpu1", "gpu0");
        }
        FLEET.host("gpu2").restart();
    }

}
