package dev.keepwarm.access;

import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * admin-routes admin-scope without any key: no request can hold scope admin, so admin
 * routes are refused.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.enabled=false", "keepwarm.security.admin-routes=admin-scope" })
class AdminScopeWithoutKeysTest extends ProxyTestBase {

    @Test
    void adminRouteIsRefusedAndTheMessageSaysWhy() {
        client().post()
            .uri("/api/create")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"m\"}")
            .exchange()
            .expectStatus()
            .isForbidden()
            .expectBody()
            .jsonPath("$.error")
            .isEqualTo("keepwarm: POST /api/create is an admin route and needs "
                    + "an API key with scope admin (keepwarm.security.admin-routes=admin-scope), but no "
                    + "keepwarm.security.api-keys are configured, so admin routes are refused");
        assertThat(FAKE.received()).isEmpty();
    }

    @Test
    void everythingElsePassesWithoutAKey() {
        client().post()
            .uri("/api/chat")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"mistral\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false}")
            .exchange()
            .expectStatus()
            .isOk();
        assertThat(FAKE.received("/api/chat")).hasSize(1);
    }

}
