package dev.keepwarm.access;

import java.net.URI;

import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * admin-routes deny: every admin route is answered 403 by keepwarm, Ollama never hears of
 * it.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.enabled=false", "keepwarm.security.admin-routes=deny" })
class AdminRoutesDenyTest extends ProxyTestBase {

    @Test
    void everyAdminRouteGets403WithoutContactingOllama() {
        String[][] routes = { { "DELETE", "/api/delete" }, { "POST", "/api/pull" }, { "POST", "/api/push" },
                { "POST", "/api/create" }, { "POST", "/api/copy" }, { "POST", "/api/blobs/sha256:abc" },
                { "HEAD", "/api/blobs/sha256:abc" } };
        for (String[] route : routes) {
            client().method(HttpMethod.valueOf(route[0]))
                .uri(route[1])
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"mistral\"}")
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectHeader()
                .contentType(MediaType.APPLICATION_JSON);
        }
        client().post()
            .uri("/api/pull")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{}")
            .exchange()
            .expectBody()
            .json("{\"error\":\"keepwarm: POST /api/pull is an admin route, refused by "
                    + "keepwarm.security.admin-routes=deny\"}", true);
        assertThat(FAKE.received()).isEmpty();
    }

    @Test
    void aDisguisedAdminPathIsStillRefused() {
        for (String path : new String[] { "/api/%70ull", "/api/pull/", "//api/pull", "/api/Pull" }) {
            client().post()
                .uri(URI.create(baseUrl() + path))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isForbidden();
        }
        assertThat(FAKE.received()).isEmpty();
    }

    @Test
    void otherRoutesPass() {
        client().post()
            .uri("/api/show")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"mistral\"}")
            .exchange()
            .expectStatus()
            .isOk();
        client().get().uri("/api/tags").exchange().expectStatus().isOk();
        assertThat(FAKE.received()).hasSize(2);
    }

}
