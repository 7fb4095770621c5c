package dev.keepwarm.fleet;

import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;

import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * A keepwarm with one {@code keepwarm.upstream.url} and no fleet names its one host
 * {@code default} in every proxied answer.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT)
class SingleHostUpstreamHeaderTest extends ProxyTestBase {

    private static final String UPSTREAM = "X-Keepwarm-Upstream";

    @Test
    void everyProxiedAnswerNamesTheDefaultHost() {
        client().post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"mistral\",\"prompt\":\"hi\",\"stream\":false}")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals(UPSTREAM, "default");
        client().post()
            .uri("/v1/chat/completions")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"mistral\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals(UPSTREAM, "default");
        client().get()
            .uri("/api/tags")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals(UPSTREAM, "default");
        client().post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"no-such-model\",\"prompt\":\"hi\"}")
            .exchange()
            .expectStatus()
            .isNotFound()
            .expectHeader()
            .valueEquals(UPSTREAM, "default");
    }

}
