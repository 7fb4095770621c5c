package dev.keepwarm.proxy;

import java.time.Duration;
import java.util.List;

import dev.keepwarm.fake.ModelSpec;
import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.util.function.Tuple2;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Responses are relayed as Ollama writes them, and a client that leaves stops the work
 * upstream.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.enabled=false", "keepwarm.policy.default.keep-alive=10m" })
class StreamingTest extends ProxyTestBase {

    private static final String GENERATE = "{\"model\":\"mistral\",\"prompt\":\"hi\"}";

    @Autowired
    MeterRegistry registry;

    @Test
    void chunksSpacedUpstreamArriveSpacedNotInOneBatchWhileMetricsObserveThem() {
        FAKE.tokens(5, Duration.ofMillis(200));
        long observedBefore = requestsObserved();
        List<Tuple2<Long, String>> lines = lines(GENERATE).elapsed().collectList().block(Duration.ofSeconds(30));

        assertThat(lines).hasSize(6); // 5 tokens + the final done line
        assertThat(lines.get(lines.size() - 1).getT2()).contains("\"done\":true");
        long spacedChunks = lines.stream().skip(1).filter(line -> line.getT1() >= 120).count();
        assertThat(spacedChunks).as("chunks arriving >= 120 ms after the previous one (upstream spacing 200 ms)")
            .isGreaterThanOrEqualTo(4);
        await().atMost(Duration.ofSeconds(5)).until(() -> requestsObserved() == observedBefore + 1);
        assertThat(registry.get("keepwarm.generated.tokens").counters()).isNotEmpty();
    }

    private long requestsObserved() {
        return registry.find("keepwarm.request").timers().stream().mapToLong(Timer::count).sum();
    }

    @Test
    void ndjsonContentTypeIsPassedThrough() {
        client().post()
            .uri("/api/chat")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"mistral\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.parseMediaType("application/x-ndjson"));
    }

    @Test
    void clientThatLeavesMidStreamCancelsTheUpstreamRequest() {
        FAKE.tokens(50, Duration.ofMillis(100));
        String first = lines(GENERATE).blockFirst(Duration.ofSeconds(10));
        assertThat(first).contains("\"done\":false");

        await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(FAKE.cancelled()).extracting(r -> r.path()).contains("/api/generate"));
    }

    @Test
    void clientThatLeavesDuringTheLoadCancelsTheUpstreamRequest() {
        FAKE.withModel(new ModelSpec("slowload", Duration.ofSeconds(5), false, 1_000_000L, 4096));
        lines("{\"model\":\"slowload\",\"prompt\":\"hi\"}").take(Duration.ofMillis(500))
            .collectList()
            .block(Duration.ofSeconds(10));

        await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(FAKE.cancelled()).extracting(r -> r.path()).contains("/api/generate"));
        assertThat(FAKE.loaded()).noneMatch(model -> model.name().startsWith("slowload"));
    }

    private Flux<String> lines(String body) {
        return WebClient.create(baseUrl())
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .retrieve()
            .bodyToFlux(String.class);
    }

}
