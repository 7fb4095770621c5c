package dev.keepwarm.fleet;

import java.util.List;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.support.FakeFleet;
import dev.keepwarm.support.FleetTestBase;
import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * "Resident" means resident with the runner options the request needs (issue 13, routing
 * step 1): qwen2.5:7b runs on gpu0 with num_ctx 2048 and on gpu2 with 8192, and a request
 * for 8192 goes to gpu2, where it does not reload the runner; one that names no context
 * goes to either.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.ps-timeout=450ms", "keepwarm.warmer.interval=500ms" })
class FleetRunnerOptionsTest extends FleetTestBase {

    private static final FakeFleet FLEET = FakeFleet.start(3, fake -> fake.withModel("qwen2.5:7b"));

    private static void loadWithContext(FakeOllama host, int numCtx) {
        ProxyTestBase.webTestClient(host.url().toString())
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"qwen2.5:7b\",\"keep_alive\":\"1h\",\"options\":{\"num_ctx\":" + numCtx + "}}")
            .exchange()
            .expectStatus()
            .isOk();
    }

    private String hostFor(String options) {
        return proxy().post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"qwen2.5:7b\",\"prompt\":\"hi\",\"stream\":false" + options + "}")
            .exchange()
            .expectStatus()
            .isOk()
            .returnResult(String.class)
            .getResponseHeaders()
            .getFirst(UPSTREAM);
    }

    @Test
    void aRequestGoesWhereTheModelRunsWithItsContext() {
        loadWithContext(FLEET.host("gpu0"), 2048);
        loadWithContext(FLEET.host("gpu2"), 8192);
        awaitPasses(FLEET.host("gpu0"), 1);
        int loadsBefore = FLEET.host("gpu2").loadCount("qwen2.5:7b");

        assertThat(hostFor(",\"options\":{\"num_ctx\":8192}")).isEqualTo("gpu2");
        assertThat(hostFor(",\"options\":{\"num_ctx\":2048}")).isEqualTo("gpu0");
        assertThat(hostFor("")).isIn(List.of("gpu0", "gpu2"));
        assertThat(FLEET.host("gpu2").loadCount("qwen2.5:7b")).as("no reload on gpu2").isEqualTo(loadsBefore);
        await().untilAsserted(() -> assertThat(FLEET.loadedOn("qwen2.5:7b")).containsExactlyInAnyOrder("gpu0", "gpu2"));
    }

}
