package dev.keepwarm.fleet;

import java.util.List;

import dev.keepwarm.support.FakeFleet;
import dev.keepwarm.support.FleetTestBase;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * What the management port says of a fleet: the {@code keepwarm} health is DOWN, naming
 * the model and why a copy is missing, while a rule's replicas cannot be met, and UP once
 * they are; /actuator/keepwarm lists the hosts and the placement, the {@code ollama}
 * health every host.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.ps-timeout=450ms", "keepwarm.warmer.interval=500ms",
                "keepwarm.policy.models[0].match=llama3.2:1b", "keepwarm.policy.models[0].keep-alive=forever",
                "keepwarm.policy.models[0].warm=true", "keepwarm.policy.models[0].replicas=3",
                "keepwarm.policy.models[1].match=qwen2.5:7b", "keepwarm.policy.models[1].keep-alive=forever",
                "keepwarm.policy.models[1].warm=true" })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetHealthTest extends FleetTestBase {

    /**
     * Every host has qwen2.5:7b (rendezvous: gpu1 first); llama3.2:1b, wanted on three
     * hosts, is only in gpu0's and gpu2's catalogues at first.
     */
    private static final FakeFleet FLEET = FakeFleet.start(3, fake -> fake.withModel("qwen2.5:7b"));

    static {
        FLEET.host("gpu0").withModel("llama3.2:1b");
        FLEET.host("gpu2").withModel("llama3.2:1b");
    }

    @Test
    @Order(1)
    void healthIsDownNamingTheModelAndTheMissingCatalogueWhileReplicasCannotBeMet() {
        awaitPinnedOn(FLEET, "llama3.2:1b", List.of("gpu0", "gpu2"));
        awaitPinnedOn(FLEET, "qwen2.5:7b", List.of("gpu1"));

        await().atMost(PLACE_WAIT)
            .untilAsserted(() -> health().expectStatus()
                .is5xxServerError()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("DOWN")
                .jsonPath("$.details['llama3.2:1b']")
                .value(String.class,
                        detail -> assertThat(detail).contains("2 of 3")
                            .contains("gpu0")
                            .contains("gpu2")
                            .contains("not in a healthy host's catalogue"))
                .jsonPath("$.details['qwen2.5:7b']")
                .value(String.class, detail -> assertThat(detail).contains("1 of 1").contains("gpu1")));
    }

    @Test
    @Order(2)
    void theStateEndpointListsTheHostsAndThePlacement() {
        awaitPinnedOn(FLEET, "llama3.2:1b", List.of("gpu0", "gpu2"));

        await().atMost(PLACE_WAIT)
            .untilAsserted(() -> management().get()
                .uri("/actuator/keepwarm")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.hosts[*].name")
                .isEqualTo(List.of("gpu0", "gpu1", "gpu2"))
                .jsonPath("$.hosts[0].url")
                .isEqualTo(FLEET.host("gpu0").url().toString())
                .jsonPath("$.hosts[*].routed")
                .isEqualTo(List.of(true, true, true))
                .jsonPath("$.placement[0].model")
                .isEqualTo("llama3.2:1b")
                .jsonPath("$.placement[0].wanted")
                .isEqualTo(3)
                .jsonPath("$.placement[0].hosts")
                .isEqualTo(List.of("gpu2", "gpu0"))
                .jsonPath("$.placement[0].warm")
                .isEqualTo(List.of("gpu0", "gpu2"))
                .jsonPath("$.placement[0].missing")
                .isEqualTo(List.of("not_in_catalogue"))
                .jsonPath("$.placement[1].model")
                .isEqualTo("qwen2.5:7b")
                .jsonPath("$.placement[1].hosts")
                .isEqualTo(List.of("gpu1"))
                .jsonPath("$.placement[1].missing")
                .isEmpty());
    }

    @Test
    @Order(3)
    void healthIsUpOnceTheMissingHostHasTheModelAndItIsWarmThere() {
        FLEET.host("gpu1").withModel("llama3.2:1b");

        awaitPinnedOn(FLEET, "llama3.2:1b", List.of("gpu0", "gpu1", "gpu2"));
        await().atMost(PLACE_WAIT)
            .untilAsserted(() -> health().expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP")
                .jsonPath("$.details['llama3.2:1b']")
                .value(String.class, detail -> assertThat(detail).contains("3 of 3")));
        assertThat(FLEET.loadCounts("llama3.2:1b")).containsValues(1, 1, 1);
    }

    @Test
    @Order(4)
    void theOllamaHealthListsEveryHostWithItsUrlAndVersion() {
        management().get()
            .uri("/actuator/health/ollama")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.status")
            .isEqualTo("UP")
            .jsonPath("$.details.hosts.gpu1.url")
            .isEqualTo(FLEET.host("gpu1").url().toString())
            .jsonPath("$.details.hosts.gpu1.up")
            .isEqualTo(true)
            .jsonPath("$.details.hosts.gpu1.version")
            .isNotEmpty()
            .jsonPath("$.details.hosts.gpu1.routed")
            .isEqualTo(true)
            .jsonPath("$.details.hosts.gpu2.circuitBreaker")
            .isEqualTo("CLOSED");
    }

    private WebTestClient.ResponseSpec health() {
        return management().get().uri("/actuator/health/keepwarm").exchange();
    }

}
