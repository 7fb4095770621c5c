package dev.keepwarm.access;

import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * actuator-writes false: /actuator/keepwarm still reads, but its reconcile and ping are
 * not mapped at all, even when Boot's own access property says unrestricted (the stricter
 * setting wins).
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.enabled=false", "keepwarm.security.actuator-writes=false",
                "management.endpoint.keepwarm.access=unrestricted", "keepwarm.policy.models[0].match=mistral",
                "keepwarm.policy.models[0].keep-alive=forever", "keepwarm.policy.models[0].warm=true" })
class ActuatorWritesDisabledTest extends ProxyTestBase {

    @LocalManagementPort
    int managementPort;

    @Test
    void writeOperationsAnswer405AndDoNothing() {
        management().post().uri("/actuator/keepwarm").exchange().expectStatus().isEqualTo(405);
        management().post().uri("/actuator/keepwarm/mistral").exchange().expectStatus().isEqualTo(405);
        assertThat(FAKE.received()).isEmpty();
        assertThat(FAKE.loaded()).isEmpty();
    }

    @Test
    void readOperationsStillWork() {
        management().get()
            .uri("/actuator/keepwarm")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.rules[0].match")
            .isEqualTo("mistral");
    }

    private WebTestClient management() {
        return dev.keepwarm.support.ProxyTestBase.webTestClient("http://localhost:" + managementPort);
    }

}
