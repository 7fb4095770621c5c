package dev.keepwarm.fleet;

import java.util.List;

import dev.keepwarm.support.FakeFleet;
import dev.keepwarm.support.FleetTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * A host's {@code memory} binds: two warm models whose rendezvous host is gpu0 do not
 * both fit there (about 2 GB each, 3 GB allowed), so the first rule gets gpu0 and the
 * second the next host of its order; every rule is met and each copy is loaded once.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.ps-timeout=450ms", "keepwarm.warmer.interval=500ms",
                "keepwarm.policy.models[0].match=mistral", "keepwarm.policy.models[0].keep-alive=forever",
                "keepwarm.policy.models[0].warm=true", "keepwarm.policy.models[1].match=gemma2:2b",
                "keepwarm.policy.models[1].keep-alive=forever", "keepwarm.policy.models[1].warm=true" })
class FleetMemoryTest extends FleetTestBase {

    /**
     * mistral and gemma2:2b: rendezvous order gpu0, gpu1, gpu2; 2,019,393,189 bytes each.
     */
    private static final FakeFleet FLEET = FakeFleet.start(3, fake -> fake.withModel("mistral").withModel("gemma2:2b"))
        .hostProperty("gpu0", "memory", "3GB");

    @Test
    void theSecondModelGoesToTheNextHostWhenTheFirstHasNoRoomForIt() {
        awaitPinnedOn(FLEET, "mistral", List.of("gpu0"));
        awaitPinnedOn(FLEET, "gemma2:2b", List.of("gpu1"));
        awaitPasses(FLEET.host("gpu0"), 2);

        assertThat(FLEET.loadCounts("mistral")).containsValues(1, 0, 0).containsEntry("gpu0", 1);
        assertThat(FLEET.loadCounts("gemma2:2b")).containsEntry("gpu0", 0).containsEntry("gpu1", 1);
        await().atMost(PLACE_WAIT)
            .untilAsserted(() -> management().get()
                .uri("/actuator/health/keepwarm")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP"));
        assertThat(generate("gemma2:2b").getResponseHeaders().getFirst(UPSTREAM)).isEqualTo("gpu1");
    }

}
