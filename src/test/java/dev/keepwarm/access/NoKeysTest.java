package dev.keepwarm.access;

import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * The defaults: no keys and admin-routes allow, so the proxy is as open as Ollama itself;
 * the actuator exposes only health, info, prometheus and keepwarm, with keepwarm's writes
 * on.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.enabled=false", "keepwarm.policy.models[0].match=mistral",
                "keepwarm.policy.models[0].keep-alive=forever", "keepwarm.policy.models[0].warm=true" })
class NoKeysTest extends ProxyTestBase {

    @LocalManagementPort
    int managementPort;

    @Test
    void everythingPassesWithoutAKeyAsBefore() {
        client().post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"llama3.2\",\"prompt\":\"hi\",\"stream\":false}")
            .exchange()
            .expectStatus()
            .isOk();
        client().get().uri("/api/tags").exchange().expectStatus().isOk();
        assertThat(FAKE.received()).extracting(r -> r.method() + " " + r.path())
            .containsExactly("POST /api/generate", "GET /api/tags");
    }

    @Test
    void aClientsOwnAuthorizationHeaderIsOllamasBusinessAndPassesUnchanged() {
        client().get()
            .uri("/api/tags")
            .header(HttpHeaders.AUTHORIZATION, "Bearer for-a-gateway-behind-keepwarm")
            .exchange()
            .expectStatus()
            .isOk();
        assertThat(FAKE.lastReceived("/api/tags").orElseThrow().header("authorization"))
            .isEqualTo("Bearer for-a-gateway-behind-keepwarm");
    }

    @Test
    void adminRoutesAreForwardedByDefault() {
        client().post()
            .uri("/api/pull")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"mistral\"}")
            .exchange()
            .expectStatus()
            .isNotFound(); // the fake does not implement pull: Ollama's answer reached us
        client().method(org.springframework.http.HttpMethod.DELETE)
            .uri("/api/delete")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"mistral\"}")
            .exchange();
        client().head().uri("/api/blobs/sha256:abc").exchange();
        assertThat(FAKE.received()).extracting(r -> r.method() + " " + r.path())
            .containsExactly("POST /api/pull", "DELETE /api/delete", "HEAD /api/blobs/sha256:abc");
    }

    @Test
    void actuatorExposesOnlyHealthInfoPrometheusAndKeepwarm() {
        management().get().uri("/actuator/metrics").exchange().expectStatus().isNotFound();
        management().get().uri("/actuator/env").exchange().expectStatus().isNotFound();
        management().get().uri("/actuator/configprops").exchange().expectStatus().isNotFound();
        management().get().uri("/actuator/health").exchange().expectStatus().isOk();
        management().get().uri("/actuator/info").exchange().expectStatus().isOk();
        management().get().uri("/actuator/prometheus").exchange().expectStatus().isOk();
        management().get().uri("/actuator/keepwarm").exchange().expectStatus().isOk();
        management().get()
            .uri("/actuator")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$._links.metrics")
            .doesNotExist()
            .jsonPath("$._links.keepwarm")
            .exists();
    }

    @Test
    void keepwarmEndpointWritesAreOnByDefault() {
        management().post()
            .uri("/actuator/keepwarm/mistral")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.result")
            .isEqualTo("loaded");
        assertThat(FAKE.received("/api/generate")).hasSize(1);
        management().get()
            .uri("/actuator/keepwarm/mistral")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.model")
            .isEqualTo("mistral:latest");
        management().get().uri("/actuator/keepwarm/unknown-model").exchange().expectStatus().isNotFound();
    }

    private WebTestClient management() {
        return dev.keepwarm.support.ProxyTestBase.webTestClient("http://localhost:" + managementPort);
    }

}
