package dev.keepwarm.fleet;

import java.time.Duration;
import java.util.List;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.support.FakeFleet;
import dev.keepwarm.support.FleetTestBase;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * A host whose /api/ps is late once is not a failed host: its warm models stay where they
 * are, and nothing is loaded elsewhere (a second copy every replica would disagree on). A
 * host that stops answering /api/ps for good (accepts TCP, never answers:
 * ollama/ollama#15950) is failed over.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.ps-timeout=300ms", "keepwarm.warmer.interval=500ms",
                "keepwarm.policy.models[0].match=llama3.2:1b", "keepwarm.policy.models[0].keep-alive=forever",
                "keepwarm.policy.models[0].warm=true", "keepwarm.policy.models[0].replicas=1" })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetSlowHostTest extends FleetTestBase {

    /** llama3.2:1b's rendezvous order is gpu2, gpu0, gpu1. */
    private static final FakeFleet FLEET = FakeFleet.start(3, fake -> fake.withModel("llama3.2:1b"));

    @Test
    @Order(1)
    void oneLateAnswerMovesNothing() {
        awaitPinnedOn(FLEET, "llama3.2:1b", List.of("gpu2"));
        FakeOllama gpu2 = FLEET.host("gpu2");

        int asked = gpu2.received("/api/ps").size();
        gpu2.hang("/api/ps");
        await().atMost(Duration.ofSeconds(5)).until(() -> gpu2.received("/api/ps").size() > asked);
        gpu2.answer("/api/ps"); // the pass under way waits for it until its ps-timeout
        awaitPasses(gpu2, 3);

        assertThat(FLEET.loadCounts("llama3.2:1b")).as("loads of llama3.2:1b per host")
            .containsEntry("gpu0", 0)
            .containsEntry("gpu1", 0)
            .containsEntry("gpu2", 1);
        assertThat(FLEET.pinnedOn("llama3.2:1b")).containsExactly("gpu2");
        assertThat(generate("llama3.2:1b").getResponseHeaders().getFirst(UPSTREAM)).isEqualTo("gpu2");
    }

    @Test
    @Order(2)
    void aHostThatNeverAnswersAgainIsFailedOver() {
        awaitPinnedOn(FLEET, "llama3.2:1b", List.of("gpu2"));

        FLEET.host("gpu2").hang("/api/ps");

        await().atMost(Duration.ofSeconds(5)).until(() -> FLEET.pinnedOn("llama3.2:1b").contains("gpu0"));
        assertThat(generate("llama3.2:1b").getResponseHeaders().getFirst(UPSTREAM)).isEqualTo("gpu0");
    }

}
