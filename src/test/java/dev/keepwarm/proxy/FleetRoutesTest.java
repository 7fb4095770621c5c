package dev.keepwarm.proxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * The routes of a fleet that are about every host (issue 13, "Routes without a model"),
 * through keepwarm in front of three fake Ollamas with different catalogues: gpu0 has
 * mistral, gpu1 has qwen2.5:7b, every host has llama3.2 and nomic-embed-text.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT, properties = "keepwarm.warmer.interval=1h")
@DirtiesContext
class FleetRoutesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static final FakeOllama GPU0 = everyHostsModels(FakeOllama.start()).withModel("mistral");

    static final FakeOllama GPU1 = everyHostsModels(FakeOllama.start()).withModel("qwen2.5:7b");

    static final FakeOllama GPU2 = everyHostsModels(FakeOllama.start());

    private static FakeOllama everyHostsModels(FakeOllama fake) {
        return fake.withModel("llama3.2").withModel("nomic-embed-text");
    }

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void fleet(DynamicPropertyRegistry registry) {
        List<FakeOllama> fakes = List.of(GPU0, GPU1, GPU2);
        for (int i = 0; i < fakes.size(); i++) {
            FakeOllama fake = fakes.get(i);
            registry.add("keepwarm.upstream.hosts[" + i + "].name", () -> "gpu" + fakes.indexOf(fake));
            registry.add("keepwarm.upstream.hosts[" + i + "].url", () -> fake.url().toString());
        }
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stopFakes() {
        GPU0.close();
        GPU1.close();
        GPU2.close();
    }

    @BeforeEach
    void catalogueKnown() {
        // the warmer's first pass reads every host's catalogue
        await().atMost(Duration.ofSeconds(10))
            .until(() -> List.of(GPU0, GPU1, GPU2).stream().allMatch(fake -> !fake.received("/api/tags").isEmpty()));
    }

    private WebTestClient client() {
        return ProxyTestBase.webTestClient("http://localhost:" + port);
    }

    private static JsonNode json(EntityExchangeResult<byte[]> result) {
        return JSON.readTree(result.getResponseBody());
    }

    @Test
    void tagsListEveryHostsModelsOnceAndNameTheHosts() {
        EntityExchangeResult<byte[]> tags = client().get()
            .uri("/api/tags")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .returnResult();

        List<String> names = new ArrayList<>();
        json(tags).path("models").forEach(model -> names.add(model.path("name").stringValue()));
        assertThat(names).containsExactlyInAnyOrder("llama3.2:latest", "nomic-embed-text:latest", "mistral:latest",
                "qwen2.5:7b");
        assertThat(tags.getResponseHeaders().getFirst("X-Keepwarm-Upstream")).isEqualTo("gpu0,gpu1,gpu2");
    }

    @Test
    void psListsWhatRunsWhereWithTheHost() {
        FakeOllama direct = GPU1;
        ProxyTestBase.webTestClient(direct.url().toString())
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"qwen2.5:7b\",\"keep_alive\":\"5m\"}")
            .exchange()
            .expectStatus()
            .isOk();

        JsonNode ps = json(client().get().uri("/api/ps").exchange().expectStatus().isOk().expectBody().returnResult());

        assertThat(ps.path("models")).hasSize(1);
        assertThat(ps.path("models").get(0).path("name").stringValue()).isEqualTo("qwen2.5:7b");
        assertThat(ps.path("models").get(0).path("host").stringValue()).isEqualTo("gpu1");
    }

    @Test
    void versionIsTheFleetsOldest() {
        JsonNode version = json(
                client().get().uri("/api/version").exchange().expectStatus().isOk().expectBody().returnResult());

        assertThat(version.path("version").stringValue()).isEqualTo("0.33.0");
    }

    @Test
    void showGoesToAHostThatHasTheModel() {
        client().post()
            .uri("/api/show")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"mistral\"}")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Keepwarm-Upstream", "gpu0");
        client().post()
            .uri("/api/show")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"qwen2.5:7b\"}")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Keepwarm-Upstream", "gpu1");
    }

    @Test
    void aNamedHostGetsTheRequestAndAnUnknownNameIsRefused() {
        client().get()
            .uri("/api/tags")
            .header("X-Keepwarm-Upstream", "gpu2")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Keepwarm-Upstream", "gpu2");
        assertThat(GPU2.lastReceived("/api/tags").orElseThrow().headers().containsKey("x-keepwarm-upstream")).isFalse();

        EntityExchangeResult<byte[]> unknown = client().get()
            .uri("/api/tags")
            .header("X-Keepwarm-Upstream", "gpu9")
            .exchange()
            .expectStatus()
            .isNotFound()
            .expectBody()
            .returnResult();
        assertThat(json(unknown).path("error").stringValue()).contains("'gpu9'").contains("gpu0, gpu1, gpu2");
    }

}
