package dev.keepwarm.fleet;

import java.util.List;

import dev.keepwarm.support.FakeFleet;
import dev.keepwarm.support.FleetTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * A host that is full of pinned models: an unpinned model whose rendezvous host it is
 * goes to another host with room, so its load does not evict the pinned copy (issue 13,
 * "Details that must not be left to chance").
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.ps-timeout=450ms", "keepwarm.warmer.interval=500ms",
                "keepwarm.policy.models[0].match=mistral", "keepwarm.policy.models[0].keep-alive=forever",
                "keepwarm.policy.models[0].warm=true", "keepwarm.policy.models[0].replicas=1" })
class FleetCapacityTest extends FleetTestBase {

    /**
     * mistral and gemma2:2b both have gpu0 first in their rendezvous order (gpu0, gpu1,
     * gpu2); gpu0 holds one model at a time (OLLAMA_MAX_LOADED_MODELS=1, and keepwarm's
     * max-loaded says so).
     */
    private static final FakeFleet FLEET = FakeFleet.start(3, fake -> fake.withModel("mistral").withModel("gemma2:2b"))
        .hostProperty("gpu0", "max-loaded", "1");

    static {
        FLEET.host("gpu0").maxLoadedModels(1);
    }

    @Test
    void rendezvousOrdersAreTheOnesThisTestExpects() {
        assertThat(Rendezvous.order("mistral", FLEET.names())).containsExactly("gpu0", "gpu1", "gpu2");
        assertThat(Rendezvous.order("gemma2:2b", FLEET.names())).containsExactly("gpu0", "gpu1", "gpu2");
    }

    /**
     * Without room in routing, gemma2:2b went to gpu0, its rendezvous host, and its load
     * evicted the pinned mistral.
     */
    @Test
    void anUnpinnedModelDoesNotEvictAPinnedCopyWhileAnotherHostHasRoom() {
        awaitPinnedOn(FLEET, "mistral", List.of("gpu0"));
        awaitPasses(FLEET.host("gpu0"), 1);

        EntityExchangeResult<String> answer = generate("gemma2:2b");

        assertThat(answer.getStatus()).isEqualTo(HttpStatus.OK);
        assertThat(answer.getResponseHeaders().getFirst(UPSTREAM)).isNotEqualTo("gpu0");
        assertThat(FLEET.pinnedOn("mistral")).containsExactly("gpu0");
        assertThat(FLEET.host("gpu0").loadCount("mistral")).isEqualTo(1);
    }

}
