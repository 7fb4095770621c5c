package dev.keepwarm.access;

import dev.keepwarm.fake.Received;
import dev.keepwarm.support.ProxyTestBase;
import dev.keepwarm.support.Scrape;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.keepwarm.access.Keys.ADMIN_KEY;
import static dev.keepwarm.access.Keys.INFERENCE_KEY;
import static dev.keepwarm.access.Keys.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * With keys configured and admin-routes admin-scope: who gets through, what Ollama sees,
 * what is counted.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.enabled=false", "keepwarm.security.admin-routes=admin-scope" })
class ApiKeyTest extends ProxyTestBase {

    private static final String GENERATE = "{\"model\":\"mistral\",\"prompt\":\"hi\",\"stream\":false}";

    @LocalManagementPort
    int managementPort;

    /** All in one source: Boot binds an indexed list from the one source that has it. */
    @DynamicPropertySource
    static void keys(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.security.api-keys[0].name", () -> "webui");
        registry.add("keepwarm.security.api-keys[0].key-sha256", () -> sha256(INFERENCE_KEY));
        registry.add("keepwarm.security.api-keys[0].scopes", () -> "inference");
        registry.add("keepwarm.security.api-keys[1].name", () -> "ops");
        registry.add("keepwarm.security.api-keys[1].key-sha256", () -> sha256(ADMIN_KEY));
        registry.add("keepwarm.security.api-keys[1].scopes", () -> "admin");
    }

    @Test
    void requestWithoutKeyGets401InOllamasErrorShapeWithABearerChallenge() {
        generate(null).expectStatus()
            .isUnauthorized()
            .expectHeader()
            .contentType(MediaType.APPLICATION_JSON)
            .expectHeader()
            .valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"keepwarm\"")
            .expectBody()
            .json("{\"error\":\"keepwarm: API key required (Authorization: Bearer <key>)\"}", true);
        assertThat(FAKE.received()).isEmpty();
    }

    @Test
    void wrongKeyGets401WithoutContactingOllama() {
        generate("not-" + INFERENCE_KEY).expectStatus()
            .isUnauthorized()
            .expectHeader()
            .valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"keepwarm\", error=\"invalid_token\"")
            .expectBody()
            .jsonPath("$.error")
            .isEqualTo("keepwarm: invalid API key");
        // the hash is not the key
        generate(sha256(INFERENCE_KEY)).expectStatus().isUnauthorized();
        assertThat(FAKE.received()).isEmpty();
    }

    @Test
    void rightKeyIsForwardedWithoutItsAuthorizationHeader() {
        generate(INFERENCE_KEY).expectStatus().isOk().expectBody().jsonPath("$.done").isEqualTo(true);
        Received received = FAKE.lastReceived("/api/generate").orElseThrow();
        assertThat(received.header("authorization")).isNull();
        assertThat(received.headers().toString()).doesNotContain(INFERENCE_KEY);
        assertThat(received.bodyText()).isEqualTo(GENERATE);

        client().get()
            .uri("/api/tags")
            .header(HttpHeaders.AUTHORIZATION, "Bearer " + INFERENCE_KEY)
            .exchange()
            .expectStatus()
            .isOk();
        assertThat(FAKE.lastReceived("/api/tags").orElseThrow().header("authorization")).isNull();
    }

    @Test
    void adminKeyMayDoEverythingAnInferenceKeyMay() {
        generate(ADMIN_KEY).expectStatus().isOk();
        assertThat(FAKE.lastReceived("/api/generate").orElseThrow().header("authorization")).isNull();
    }

    @Test
    void inferenceKeyOnAnAdminRouteGets403WithoutContactingOllama() {
        post("/api/pull", INFERENCE_KEY, "{\"model\":\"llama3.2\"}").expectStatus()
            .isForbidden()
            .expectHeader()
            .contentType(MediaType.APPLICATION_JSON)
            .expectHeader()
            .valueEquals(HttpHeaders.WWW_AUTHENTICATE,
                    "Bearer realm=\"keepwarm\", error=\"insufficient_scope\", scope=\"admin\"")
            .expectBody()
            .jsonPath("$.error")
            .isEqualTo("keepwarm: POST /api/pull is an admin route and "
                    + "keepwarm.security.admin-routes=admin-scope needs an API key with scope admin; key 'webui' "
                    + "does not have it");
        client().delete()
            .uri("/api/delete")
            .header(HttpHeaders.AUTHORIZATION, "Bearer " + INFERENCE_KEY)
            .exchange()
            .expectStatus()
            .isForbidden();
        assertThat(FAKE.received()).isEmpty();
    }

    @Test
    void adminKeyOnAnAdminRouteIsForwardedWithoutItsKey() {
        // the fake has no pull
        post("/api/pull", ADMIN_KEY, "{\"model\":\"llama3.2\"}").expectStatus().isNotFound();
        Received pull = FAKE.lastReceived("/api/pull").orElseThrow();
        assertThat(pull.method()).isEqualTo("POST");
        assertThat(pull.header("authorization")).isNull();
        assertThat(pull.bodyText()).isEqualTo("{\"model\":\"llama3.2\"}");
    }

    @Test
    void blobUploadsAndChecksAreAdminRoutes() {
        String blob = "/api/blobs/sha256:29fdb92e57cf0827ded04ae6461b5931d01fa595843f55d36f5b275a52087dd2";
        post(blob, INFERENCE_KEY, "GGUF").expectStatus().isForbidden();
        client().head()
            .uri(blob)
            .header(HttpHeaders.AUTHORIZATION, "Bearer " + INFERENCE_KEY)
            .exchange()
            .expectStatus()
            .isForbidden();
        assertThat(FAKE.received()).isEmpty();

        post(blob, ADMIN_KEY, "GGUF").expectStatus().isNotFound();
        client().head()
            .uri(blob)
            .header(HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN_KEY)
            .exchange()
            .expectStatus()
            .isNotFound();
        assertThat(FAKE.received(blob)).extracting(Received::method).containsExactly("POST", "HEAD");
    }

    @Test
    void failuresAreCountedByReasonAndPassesByKeyName() {
        Scrape before = scrape();
        generate(null).expectStatus().isUnauthorized();
        generate(null).expectStatus().isUnauthorized();
        generate("wrong").expectStatus().isUnauthorized();
        post("/api/pull", INFERENCE_KEY, "{}").expectStatus().isForbidden();
        generate(INFERENCE_KEY).expectStatus().isOk();
        Scrape after = scrape();

        assertThat(delta(before, after, "keepwarm_auth_failures_total", "reason", "missing")).isEqualTo(2);
        assertThat(delta(before, after, "keepwarm_auth_failures_total", "reason", "invalid")).isEqualTo(1);
        assertThat(delta(before, after, "keepwarm_auth_failures_total", "reason", "scope")).isEqualTo(1);
        assertThat(delta(before, after, "keepwarm_auth_failures_total", "reason", "admin_denied")).isZero();
        assertThat(after.find("keepwarm_auth_failures_total")).extracting(sample -> sample.labels().get("reason"))
            .containsExactlyInAnyOrder("missing", "invalid", "scope", "admin_denied");
        assertThat(delta(before, after, "keepwarm_requests_by_key_total", "key", "webui")).isEqualTo(1);
        assertThat(delta(before, after, "keepwarm_requests_by_key_total", "key", "ops")).isZero();
    }

    @Test
    void managementPortNeedsNoKeyAndShowsNone() {
        String prometheus = management().get()
            .uri("/actuator/prometheus")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
        management().get().uri("/actuator/keepwarm").exchange().expectStatus().isOk();
        management().get().uri("/actuator/health").exchange().expectStatus().isOk();
        assertThat(prometheus).doesNotContain(INFERENCE_KEY).doesNotContain(sha256(INFERENCE_KEY));
    }

    private WebTestClient.ResponseSpec generate(String key) {
        return post("/api/generate", key, GENERATE);
    }

    private WebTestClient.ResponseSpec post(String path, String key, String body) {
        return client().post().uri(path).contentType(MediaType.APPLICATION_JSON).headers(headers -> {
            if (key != null) {
                headers.setBearerAuth(key);
            }
        }).bodyValue(body).exchange();
    }

    private WebTestClient management() {
        return dev.keepwarm.support.ProxyTestBase.webTestClient("http://localhost:" + managementPort);
    }

    private Scrape scrape() {
        return new Scrape(management().get()
            .uri("/actuator/prometheus")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody());
    }

    private static double delta(Scrape before, Scrape after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }

}
