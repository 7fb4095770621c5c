package dev.keepwarm.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.ModelSpec;
import dev.keepwarm.fake.Received;
import dev.keepwarm.support.ProxyTestBase;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Traces as a collector receives them: a span per proxied request in the client's trace,
 * its context sent on to Ollama, and a span per warmer ping (spans go to an in-memory
 * exporter, as they would to the OTLP one).
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.interval=1h", "keepwarm.policy.models[0].match=pinned",
                "keepwarm.policy.models[0].keep-alive=forever", "keepwarm.policy.models[0].warm=true",
                "keepwarm.policy.models[1].match=cold*", "keepwarm.policy.models[1].keep-alive=5m",
                "keepwarm.policy.models[1].mode=override", "keepwarm.metrics.cold-start-threshold=200ms",
                "management.opentelemetry.tracing.export.schedule-delay=20ms" })
@DirtiesContext
class TracingTest {

    private static final Duration COLD_LOAD = Duration.ofMillis(400);

    private static final FakeOllama OLLAMA = FakeOllama.start()
        .withModel(ModelSpec.of("pinned").withLoadTime(Duration.ofMillis(20)))
        .withModel(ModelSpec.of("cold").withLoadTime(COLD_LOAD))
        .withModel(ModelSpec.of("coldish").withLoadTime(COLD_LOAD))
        .withModel(ModelSpec.of("other"));

    /** The client's span: its traceparent's parent id. */
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";

    /** A client's own trace, new for each test: W3C trace context, sampled. */
    private String traceId;

    private String traceparent;

    @TestConfiguration(proxyBeanMethods = false)
    static class Exporter {

        @Bean
        InMemorySpanExporter spans() {
            return InMemorySpanExporter.create();
        }

    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    InMemorySpanExporter exported;

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.upstream.url", () -> OLLAMA.url().toString());
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stopOllama() {
        OLLAMA.close();
    }

    @BeforeEach
    void pinnedIsPreloaded() {
        traceId = String.format("%016x%016x", ThreadLocalRandom.current().nextLong(), System.nanoTime());
        traceparent = "00-" + traceId + "-" + CLIENT_SPAN + "-01";
        await().atMost(Duration.ofSeconds(5)).until(() -> OLLAMA.loadCount("pinned") >= 1);
    }

    @Test
    void aClientsTraceIsContinuedAndItsSpanSaysWhatKeepwarmDid() {
        generate("cold", traceparent);

        SpanData span = await().atMost(Duration.ofSeconds(5))
            .until(() -> spanOf(traceId, "POST /api/generate"), Optional::isPresent)
            .orElseThrow();
        assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(span.getParentSpanId()).isEqualTo(CLIENT_SPAN);
        assertThat(attribute(span, ProxySpans.MODEL)).isEqualTo("cold");
        assertThat(attribute(span, ProxySpans.ENDPOINT)).isEqualTo("generate");
        assertThat(attribute(span, ProxySpans.DECISION)).isEqualTo("override");
        assertThat(attribute(span, ProxySpans.KEEP_ALIVE)).isEqualTo("5m");
        assertThat(attribute(span, ProxySpans.RULE)).isEqualTo("cold*");
        assertThat(attribute(span, ProxySpans.HOST)).isEqualTo("default");
        assertThat(longAttribute(span, ProxySpans.STATUS)).isEqualTo(200);
        // nobody had loaded it: Ollama's load_duration says the request paid the load
        assertThat(span.getAttributes().get(AttributeKey.booleanKey(ProxySpans.COLD))).isTrue();
        assertThat(longAttribute(span, ProxySpans.LOAD_MS)).isGreaterThanOrEqualTo(COLD_LOAD.toMillis() - 50);
        assertThat(longAttribute(span, ProxySpans.FIRST_CHUNK_MS)).isGreaterThanOrEqualTo(COLD_LOAD.toMillis() - 50);
        assertThat(span.getEvents()).extracting(event -> event.getName()).contains("first chunk");
        assertThat(span.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);

        // Ollama (or a traced proxy in front of it) sees keepwarm's span as the parent
        assertThat(OLLAMA.received("/api/generate"))
            .filteredOn(sent -> "cold".equals(sent.json().get("model").asText()))
            .singleElement()
            .satisfies(sent -> assertThat(sent.headers().get("traceparent"))
                .containsExactly("00-" + traceId + "-" + span.getSpanId() + "-01"));
    }

    @Test
    void aWarmRequestIsNotCold() {
        generate("coldish", null);
        generate("coldish", traceparent);

        SpanData warm = await().atMost(Duration.ofSeconds(5))
            .until(() -> spanOf(traceId, "POST /api/generate"), Optional::isPresent)
            .orElseThrow();
        assertThat(warm.getAttributes().get(AttributeKey.booleanKey(ProxySpans.COLD))).isFalse();
    }

    @Test
    void aRequestWithoutATraceStartsOneAndOllamaGetsItsContext() {
        client().get().uri("/api/tags").exchange().expectStatus().isOk();

        Received sent = OLLAMA.received("/api/tags").get(OLLAMA.received("/api/tags").size() - 1);
        String context = sent.headers().get("traceparent").get(0);
        String started = context.split("-")[1];
        SpanData span = await().atMost(Duration.ofSeconds(5))
            .until(() -> spanOf(started, "GET /api/tags"), Optional::isPresent)
            .orElseThrow();
        assertThat(span.getParentSpanId()).isEqualTo(SpanId.getInvalid());
        assertThat(context).isEqualTo("00-" + started + "-" + span.getSpanId() + "-01");
        assertThat(attribute(span, ProxySpans.MODEL)).isNull();
    }

    @Test
    void anOpenAiRequestIsTracedWithItsModel() {
        client().post()
            .uri("/v1/chat/completions")
            .header("traceparent", traceparent)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"other\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
            .exchange()
            .expectStatus()
            .isOk();

        SpanData span = await().atMost(Duration.ofSeconds(5))
            .until(() -> spanOf(traceId, "POST /v1/chat/completions"), Optional::isPresent)
            .orElseThrow();
        assertThat(attribute(span, ProxySpans.MODEL)).isEqualTo("other");
        assertThat(attribute(span, ProxySpans.ENDPOINT)).isEqualTo("openai");
        assertThat(attribute(span, ProxySpans.DECISION)).isNull(); // /v1 carries no
                                                                   // keep_alive to decide
    }

    @Test
    void aRefusedRequestIsAnErrorSpanOnlyWhenKeepwarmOrOllamaFailed() {
        client().post()
            .uri("/api/generate")
            .header("traceparent", traceparent)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"cold\",")
            .exchange()
            .expectStatus()
            .isBadRequest();

        SpanData span = await().atMost(Duration.ofSeconds(5))
            .until(() -> spanOf(traceId, "POST /api/generate"), Optional::isPresent)
            .orElseThrow();
        assertThat(longAttribute(span, ProxySpans.STATUS)).isEqualTo(400);
        assertThat(span.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
    }

    @Test
    void eachWarmerPingIsASpanOfItsOwn() {
        SpanData ping = await().atMost(Duration.ofSeconds(5))
            .until(() -> exported.getFinishedSpanItems()
                .stream()
                .filter(span -> span.getName().equals("keepwarm ping"))
                .filter(span -> "pinned:latest".equals(attribute(span, ProxySpans.MODEL)))
                .findFirst(), Optional::isPresent)
            .orElseThrow();
        assertThat(ping.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(ping.getParentSpanId()).isEqualTo(SpanId.getInvalid());
        assertThat(attribute(ping, ProxySpans.HOST)).isEqualTo("default");
        assertThat(attribute(ping, PingSpans.OUTCOME)).isEqualTo("loaded");
        assertThat(ping.getAttributes().get(AttributeKey.booleanKey(PingSpans.LOADED))).isTrue();
        assertThat(ping.getEndEpochNanos()).isGreaterThan(ping.getStartEpochNanos());
    }

    @Test
    void theActuatorsOwnRequestsAreNotExported() {
        WebTestClient management = ProxyTestBase.webTestClient("http://localhost:" + managementPort);
        management.get().uri("/actuator/prometheus").exchange().expectStatus().isOk();
        management.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        generate("other", traceparent); // exported after the actuator's, were they
                                        // exported

        await().atMost(Duration.ofSeconds(5)).until(() -> spanOf(traceId, "POST /api/generate"), Optional::isPresent);
        assertThat(exported.getFinishedSpanItems()).extracting(SpanData::getName)
            .noneMatch(name -> name.contains("actuator") || name.startsWith("http "));
    }

    private void generate(String model, String traceparent) {
        WebTestClient.RequestBodySpec request = client().post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON);
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        request.bodyValue("{\"model\":\"" + model + "\",\"prompt\":\"hi\"}").exchange().expectStatus().isOk();
    }

    private Optional<SpanData> spanOf(String traceId, String name) {
        List<SpanData> spans = exported.getFinishedSpanItems();
        return spans.stream()
            .filter(span -> span.getTraceId().equals(traceId) && span.getName().equals(name))
            .reduce((first, second) -> second);
    }

    private static String attribute(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }

    private static Long longAttribute(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.longKey(key));
    }

    private WebTestClient client() {
        return ProxyTestBase.webTestClient("http://localhost:" + port);
    }

}
