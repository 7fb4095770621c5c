package dev.keepwarm.metrics;

import java.time.Duration;
import java.util.Objects;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.ModelSpec;
import dev.keepwarm.support.OtlpReceiver;
import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.keepwarm.support.OtlpReceiver.contains;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * The one setting a user sets, the OTLP endpoint, sends the spans to a collector: an
 * in-process OTLP/HTTP receiver gets protobuf batches that hold the client's trace id and
 * keepwarm's attributes.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.enabled=false", "management.opentelemetry.tracing.export.schedule-delay=20ms" })
@DirtiesContext
class OtlpExportTest {

    private static final FakeOllama OLLAMA = FakeOllama.start().withModel(ModelSpec.of("mistral"));

    private static final OtlpReceiver COLLECTOR = OtlpReceiver.start();

    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.upstream.url", () -> OLLAMA.url().toString());
        registry.add("management.server.port", () -> "0");
        registry.add("management.opentelemetry.tracing.export.otlp.endpoint", COLLECTOR::tracesUrl);
    }

    @AfterAll
    static void stop() {
        OLLAMA.close();
        COLLECTOR.close();
    }

    @Test
    void aProxiedRequestsSpanReachesTheCollectorInTheClientsTrace() {
        ProxyTestBase.webTestClient("http://localhost:" + port)
            .post()
            .uri("/api/generate")
            .header("traceparent", "00-" + TRACE_ID + "-b7ad6b7169203331-01")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"mistral\",\"prompt\":\"hi\"}")
            .exchange()
            .expectStatus()
            .isOk();

        byte[] batch = await().atMost(Duration.ofSeconds(10))
            .until(() -> COLLECTOR.batchOf(TRACE_ID), Objects::nonNull);
        assertThat(COLLECTOR.contentTypes()).contains("application/x-protobuf");
        assertThat(contains(batch, "POST /api/generate")).isTrue();
        assertThat(contains(batch, ProxySpans.MODEL)).isTrue();
        assertThat(contains(batch, "mistral")).isTrue();
        assertThat(contains(batch, "keepwarm")).as("service.name from spring.application.name").isTrue();
    }

}
