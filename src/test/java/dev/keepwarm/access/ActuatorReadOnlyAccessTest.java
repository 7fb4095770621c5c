package dev.keepwarm.access;

import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Boot's own {@code management.endpoint.keepwarm.access=read-only} does what
 * actuator-writes false does.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.enabled=false", "management.endpoint.keepwarm.access=read-only",
                "keepwarm.policy.models[0].match=mistral", "keepwarm.policy.models[0].keep-alive=forever",
                "keepwarm.policy.models[0].warm=true" })
class ActuatorReadOnlyAccessTest extends ProxyTestBase {

    @LocalManagementPort
    int managementPort;

    @Test
    void bootsReadOnlyAccessAlsoLeavesOnlyTheReads() {
        WebTestClient management = dev.keepwarm.support.ProxyTestBase
            .webTestClient("http://localhost:" + managementPort);
        management.post().uri("/actuator/keepwarm/mistral").exchange().expectStatus().isEqualTo(405);
        management.post().uri("/actuator/keepwarm").exchange().expectStatus().isEqualTo(405);
        assertThat(FAKE.received()).isEmpty();
        management.get().uri("/actuator/keepwarm").exchange().expectStatus().isOk();
    }

}
