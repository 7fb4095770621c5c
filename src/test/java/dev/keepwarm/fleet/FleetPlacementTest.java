package dev.keepwarm.fleet;

import java.util.List;
import java.util.Map;

import dev.keepwarm.support.FakeFleet;
import dev.keepwarm.support.FleetTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Warm rules over three hosts that all have every model: each model is pinned on as many
 * hosts as its {@code replicas} asks, the first ones of its rendezvous order, and loaded
 * once on each of them and nowhere else.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.ps-timeout=450ms", "keepwarm.warmer.interval=500ms",
                "keepwarm.policy.models[0].match=llama3.2:1b", "keepwarm.policy.models[0].keep-alive=forever",
                "keepwarm.policy.models[0].warm=true", "keepwarm.policy.models[0].replicas=1",
                "keepwarm.policy.models[1].match=qwen2.5:7b", "keepwarm.policy.models[1].keep-alive=forever",
                "keepwarm.policy.models[1].warm=true", "keepwarm.policy.models[1].replicas=2",
                "keepwarm.policy.models[2].match=mistral", "keepwarm.policy.models[2].keep-alive=forever",
                "keepwarm.policy.models[2].warm=true", "keepwarm.policy.models[2].replicas=all" })
class FleetPlacementTest extends FleetTestBase {

    private static final FakeFleet FLEET = FakeFleet.start(3,
            fake -> fake.withModel("llama3.2:1b").withModel("qwen2.5:7b").withModel("mistral"));

    /**
     * The rendezvous order of each model over gpu0..gpu2 (RendezvousTest's golden
     * values).
     */
    private static final Map<String, List<String>> ORDER = Map.of("llama3.2:1b", List.of("gpu2", "gpu0", "gpu1"),
            "qwen2.5:7b", List.of("gpu1", "gpu0", "gpu2"), "mistral", List.of("gpu0", "gpu1", "gpu2"));

    @Test
    void rendezvousOrderIsTheOneThisTestExpects() {
        ORDER.forEach((model, order) -> assertThat(Rendezvous.order(model, FLEET.names())).as(model)
            .containsExactlyElementsOf(order));
    }

    @Test
    void eachWarmModelIsPinnedOnAsManyHostsAsItsReplicasTheFirstOfItsRendezvousOrder() {
        awaitPinnedOn(FLEET, "llama3.2:1b", List.of("gpu2"));
        awaitPinnedOn(FLEET, "qwen2.5:7b", List.of("gpu1", "gpu0"));
        awaitPinnedOn(FLEET, "mistral", List.of("gpu0", "gpu1", "gpu2"));
    }

    @Test
    void noHostLoadsAModelTwiceAndNoHostOutsideThePlacementLoadsItAtAll() {
        awaitPinnedOn(FLEET, "llama3.2:1b", List.of("gpu2"));
        awaitPinnedOn(FLEET, "qwen2.5:7b", List.of("gpu1", "gpu0"));
        awaitPinnedOn(FLEET, "mistral", List.of("gpu0", "gpu1", "gpu2"));
        awaitPasses(FLEET.host("gpu0"), 3);

        assertThat(FLEET.loadCounts("llama3.2:1b"))
            .containsExactlyInAnyOrderEntriesOf(Map.of("gpu0", 0, "gpu1", 0, "gpu2", 1));
        assertThat(FLEET.loadCounts("qwen2.5:7b"))
            .containsExactlyInAnyOrderEntriesOf(Map.of("gpu0", 1, "gpu1", 1, "gpu2", 0));
        assertThat(FLEET.loadCounts("mistral"))
            .containsExactlyInAnyOrderEntriesOf(Map.of("gpu0", 1, "gpu1", 1, "gpu2", 1));
        // the pings themselves: one per placed copy (verify pings come only every 5m)
        assertThat(FLEET.receivedFor("/api/generate", "llama3.2:1b"))
            .hasEntrySatisfying("gpu0", r -> assertThat(r).isEmpty())
            .hasEntrySatisfying("gpu1", r -> assertThat(r).isEmpty())
            .hasEntrySatisfying("gpu2", r -> assertThat(r).hasSize(1));
        assertThat(FLEET.receivedFor("/api/generate", "qwen2.5:7b"))
            .hasEntrySatisfying("gpu0", r -> assertThat(r).hasSize(1))
            .hasEntrySatisfying("gpu1", r -> assertThat(r).hasSize(1))
            .hasEntrySatisfying("gpu2", r -> assertThat(r).isEmpty());
        assertThat(FLEET.receivedFor("/api/generate", "mistral").values()).allSatisfy(r -> assertThat(r).hasSize(1));
    }

}
