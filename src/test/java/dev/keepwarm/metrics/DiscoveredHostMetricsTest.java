package dev.keepwarm.metrics;

import java.time.Duration;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.support.Scrape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * A host DNS discovery finds after start gets its gauges: the Kubernetes example's hosts
 * are all discovered (127.0.0.1 stands in for a headless Service with one address).
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.interval=1s", "keepwarm.upstream.discovery.dns=127.0.0.1",
                "keepwarm.policy.models[0].match=llama3.2:1b", "keepwarm.policy.models[0].warm=true",
                "keepwarm.policy.models[0].keep-alive=forever" })
@DirtiesContext
class DiscoveredHostMetricsTest {

    static final FakeOllama OLLAMA = FakeOllama.start().withModel("llama3.2:1b");

    @LocalManagementPort
    int managementPort;

    @DynamicPropertySource
    static void discovery(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.upstream.discovery.port", () -> String.valueOf(OLLAMA.port()));
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stop() {
        OLLAMA.close();
    }

    @Test
    void aDiscoveredHostHasItsGaugesAndItsModelIsPinnedThere() {
        await().atMost(Duration.ofSeconds(15))
            .until(() -> scrape().find("keepwarm_model_resident", "upstream", "127-0-0-1")
                .stream()
                .anyMatch(sample -> sample.value() == 1));

        Scrape scrape = scrape();
        assertThat(scrape.value("keepwarm_upstream_up", "upstream", "127-0-0-1")).isEqualTo(1);
        assertThat(scrape.value("keepwarm_placement_warm", "model", "llama3.2:1b")).isEqualTo(1);
        assertThat(OLLAMA.loaded()).anyMatch(model -> model.name().equals("llama3.2:1b") && model.forever());
    }

    private Scrape scrape() {
        return Scrape.of(managementPort);
    }

}
