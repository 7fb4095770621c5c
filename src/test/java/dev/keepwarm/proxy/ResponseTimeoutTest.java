package dev.keepwarm.proxy;

import java.time.Duration;

import dev.keepwarm.fake.ModelSpec;
import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * An explicit keepwarm.upstream.response-timeout limits only the wait for Ollama's
 * response headers.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.enabled=false", "keepwarm.upstream.response-timeout=700ms" })
class ResponseTimeoutTest extends ProxyTestBase {

    @Test
    void noHeadersWithinTheResponseTimeoutGets504AndCancelsTheUpstreamRequest() {
        FAKE.withModel(ModelSpec.of("glacial").withLoadTime(Duration.ofSeconds(3)));
        client().post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"glacial\",\"prompt\":\"hi\"}")
            .exchange()
            .expectStatus()
            .isEqualTo(504)
            .expectBody()
            .jsonPath("$.error")
            .isEqualTo("keepwarm: upstream " + FAKE.url()
                    + " sent no response within 700ms (keepwarm.upstream.response-timeout)");
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> assertThat(FAKE.cancelled()).extracting(r -> r.path()).contains("/api/generate"));
    }

    @Test
    void aStreamThatStartedInTimeIsNotCutByTheResponseTimeout() {
        // 1.6 s in all, longer than the response timeout
        FAKE.tokens(4, Duration.ofMillis(400));
        String body = streamedGenerate();
        assertThat(body).contains("\"done\":true").doesNotContain("\"error\"");
    }

}
