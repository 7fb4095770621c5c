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
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.interval=1h", "keepwarm.upstream.idle-timeout=2s" })
@DirtiesContext
class FleetRoutesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static final FakeOllama GPU0 = everyHostsModels(FakeOllama.start()).withModel("mistral");

    static final FakeOllama GPU1 = everyHostsModels(FakeOllama.start()).withModel("qwen2.5:7b").version("0.32.4-rc1");

    static final FakeOllama GPU2 = everyHostsModels(FakeOllama.start());

    private static FakeOllama everyHostsModels(FakeOllama fake) {
        fake.registry().add("phi3").add("gemma3");
        return fake.withModel("llama3.2").withModel("nomic-embed-text").modelManagement(true);
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

    /** A pull through keepwarm, answered 200: its whole answer. */
    private EntityExchangeResult<byte[]> pull(String body) {
        return client().post()
            .uri("/api/pull")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .returnResult();
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
        // other tests pull and copy models on every host: those appear once too
        assertThat(names).contains("llama3.2:latest", "nomic-embed-text:latest", "mistral:latest", "qwen2.5:7b")
            .doesNotHaveDuplicates();
        assertThat(tags.getResponseHeaders().getFirst("X-Keepwarm-Upstream")).isEqualTo("gpu0,gpu1,gpu2");
    }

    @Test
    void aHostThatNeverAnswersIsLeftOutOfTheFleetsCatalogue() {
        GPU0.hang("/api/tags");
        try {
            List<String> names = new ArrayList<>();
            json(client().get().uri("/api/tags").exchange().expectStatus().isOk().expectBody().returnResult())
                .path("models")
                .forEach(model -> names.add(model.path("name").stringValue()));

            assertThat(names).contains("qwen2.5:7b", "llama3.2:latest").doesNotContain("mistral:latest");
        }
        finally {
            GPU0.answer("/api/tags");
        }
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

        // clients gate features on the version: the fleet is as old as its oldest host
        assertThat(version.path("version").stringValue()).isEqualTo("0.32.4-rc1");
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

    @Test
    void aStreamedPullRunsOnEveryHostAsOneStreamEndingInOneSuccess() {
        EntityExchangeResult<byte[]> pull = pull("{\"model\":\"phi3\"}");

        List<JsonNode> lines = new ArrayList<>();
        for (String line : new String(pull.getResponseBody(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            lines.add(JSON.readTree(line));
        }
        assertThat(pull.getResponseHeaders().getFirst("X-Keepwarm-Upstream")).isEqualTo("gpu0,gpu1,gpu2");
        assertThat(lines.get(lines.size() - 1).toString()).isEqualTo("{\"status\":\"success\"}");
        assertThat(lines.stream().filter(line -> line.path("status").asString("").equals("success"))).hasSize(1);
        assertThat(lines.subList(0, lines.size() - 1)).allSatisfy(line -> assertThat(line.has("host")).isTrue());
        assertThat(lines.stream().map(line -> line.path("host").asString("")).distinct()).contains("gpu0", "gpu1",
                "gpu2");
        assertThat(List.of(GPU0, GPU1, GPU2)).allSatisfy(fake -> assertThat(fake.models()).contains("phi3:latest"));
    }

    @Test
    void aPullThatFailsOnOneHostEndsInOneErrorNamingIt() {
        GPU1.errorMidStreamNext("/api/pull", 2, "max retries exceeded: unexpected EOF");

        EntityExchangeResult<byte[]> pull = pull("{\"model\":\"gemma3\"}");

        String[] lines = new String(pull.getResponseBody(), java.nio.charset.StandardCharsets.UTF_8).split("\n");
        JsonNode last = JSON.readTree(lines[lines.length - 1]);
        assertThat(last.path("error").stringValue()).contains("gpu1").contains("unexpected EOF");
        assertThat(String.join("\n", lines)).doesNotContain("\"status\":\"success\"");
        assertThat(GPU0.models()).contains("gemma3:latest");
        assertThat(GPU1.models()).doesNotContain("gemma3:latest");
    }

    @Test
    void aHostThatNeverAnswersAPullFailsItAfterTheIdleTimeoutAndTheStreamEnds() {
        GPU2.hang("/api/pull");
        try {
            EntityExchangeResult<byte[]> pull = pull("{\"model\":\"phi3\"}");

            String[] lines = new String(pull.getResponseBody(), java.nio.charset.StandardCharsets.UTF_8).split("\n");
            assertThat(JSON.readTree(lines[lines.length - 1]).path("error").stringValue())
                .startsWith("pull failed on gpu2");
        }
        finally {
            GPU2.answer("/api/pull");
        }
    }

    @Test
    void aPullThatDoesNotStreamAnswersOnceForTheFleet() {
        EntityExchangeResult<byte[]> pull = pull("{\"model\":\"phi3\",\"stream\":false}");

        assertThat(json(pull).path("status").stringValue()).isEqualTo("success");
        assertThat(List.of(GPU0, GPU1, GPU2)).allSatisfy(fake -> assertThat(fake.received("/api/pull")).isNotEmpty());
    }

    @Test
    void deleteOfAModelOneHostLacksAnswersThatHostsNotFound() {
        client().post()
            .uri("/api/copy")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"source\":\"llama3.2\",\"destination\":\"llama-copy\"}")
            .exchange()
            .expectStatus()
            .isOk();
        assertThat(List.of(GPU0, GPU1, GPU2))
            .allSatisfy(fake -> assertThat(fake.models()).contains("llama-copy:latest"));

        client().method(org.springframework.http.HttpMethod.DELETE)
            .uri("/api/delete")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"llama-copy\"}")
            .exchange()
            .expectStatus()
            .isOk();
        EntityExchangeResult<byte[]> mistral = client().method(org.springframework.http.HttpMethod.DELETE)
            .uri("/api/delete")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"mistral-only-on-gpu0\"}")
            .exchange()
            .expectStatus()
            .isNotFound()
            .expectBody()
            .returnResult();

        assertThat(List.of(GPU0, GPU1, GPU2))
            .allSatisfy(fake -> assertThat(fake.models()).doesNotContain("llama-copy:latest"));
        assertThat(json(mistral).path("error").stringValue()).startsWith("delete failed on gpu0: ")
            .contains("gpu1: ")
            .contains("gpu2: ");
    }

    @Test
    void aBlobIsUploadedToEveryHostAndCheckedOnAll() throws Exception {
        byte[] blob = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(13).nextBytes(blob);
        String digest = "sha256:"
                + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(blob));

        client().head().uri("/api/blobs/" + digest).exchange().expectStatus().isNotFound();
        client().post()
            .uri("/api/blobs/" + digest)
            .contentType(MediaType.APPLICATION_OCTET_STREAM)
            .bodyValue(blob)
            .exchange()
            .expectStatus()
            .isCreated()
            .expectHeader()
            .valueEquals("X-Keepwarm-Upstream", "gpu0,gpu1,gpu2");

        assertThat(List.of(GPU0, GPU1, GPU2)).allSatisfy(fake -> assertThat(fake.blobs()).contains(digest));
        client().head().uri("/api/blobs/" + digest).exchange().expectStatus().isOk();
    }

    @Test
    void aBlobOneHostLacksIsNotThereForTheFleet() {
        String digest = "sha256:" + "ab".repeat(32);
        GPU0.withBlob(digest, 10);
        GPU2.withBlob(digest, 10);

        client().head().uri("/api/blobs/" + digest).exchange().expectStatus().isNotFound();
    }

}
