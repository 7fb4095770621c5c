package dev.keepwarm.proxy;

import java.time.Duration;
import java.util.List;

import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * keepwarm.proxy.max-concurrent caps requests in flight; the rest get 503 with
 * Retry-After before Ollama sees them.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.enabled=false", "keepwarm.proxy.max-concurrent=2" })
class BulkheadTest extends ProxyTestBase {

    @Test
    void requestsBeyondTheCapGet503WithRetryAfterAndNeverReachOllama() {
        FAKE.tokens(5, Duration.ofMillis(200));
        List<String> outcomes = Flux.range(0, 5)
            .flatMap(i -> WebClient.create(baseUrl())
                .post()
                .uri("/api/generate")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"mistral\",\"prompt\":\"hi\"}")
                .exchangeToMono(r -> r.bodyToMono(String.class)
                    .defaultIfEmpty("")
                    .map(body -> r.statusCode().value() + " " + r.headers().asHttpHeaders().getFirst("Retry-After")
                            + " " + body)))
            .collectList()
            .block(Duration.ofSeconds(20));

        assertThat(outcomes).filteredOn(o -> o.startsWith("200")).hasSize(2);
        assertThat(outcomes).filteredOn(o -> o.startsWith("503"))
            .hasSize(3)
            .allSatisfy(o -> assertThat(o).isEqualTo("503 1 {\"error\":\"keepwarm: too many concurrent requests\"}"));
        assertThat(FAKE.received("/api/generate")).hasSize(2);

        // permits come back when streams end: the next request goes through
        client().post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"mistral\",\"prompt\":\"hi\",\"stream\":false}")
            .exchange()
            .expectStatus()
            .isOk();
    }

}
