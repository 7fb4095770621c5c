package dev.keepwarm.metrics;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.ModelSpec;
import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

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

    /** The request bodies the collector received on /v1/traces. */
    private static final List<byte[]> BATCHES = new CopyOnWriteArrayList<>();

    private static final List<String> CONTENT_TYPES = new CopyOnWriteArrayList<>();

    private static final DisposableServer COLLECTOR = HttpServer.create()
        .host("127.0.0.1")
        .port(0)
        .route(routes -> routes.post("/v1/traces",
                (request, response) -> request.receive().aggregate().asByteArray().doOnNext(body -> {
                    CONTENT_TYPES.add(request.requestHeaders().get("content-type"));
                    BATCHES.add(body);
                }).then(response.status(200).header("content-type", "application/x-protobuf").send())))
        .bindNow();

    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.upstream.url", () -> OLLAMA.url().toString());
        registry.add("management.server.port", () -> "0");
        registry.add("management.opentelemetry.tracing.export.otlp.endpoint",
                () -> "http://127.0.0.1:" + COLLECTOR.port() + "/v1/traces");
    }

    @AfterAll
    static void stop() {
        OLLAMA.close();
        COLLECTOR.disposeNow();
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

        // OTLP's protobuf holds the trace id as its 16 raw bytes, strings as UTF-8
        byte[] traceId = HexFormat.of().parseHex(TRACE_ID);
        byte[] batch = await().atMost(Duration.ofSeconds(10))
            .until(() -> BATCHES.stream().filter(body -> indexOf(body, traceId) >= 0).findFirst(),
                    found -> found.isPresent())
            .orElseThrow();
        assertThat(CONTENT_TYPES).contains("application/x-protobuf");
        assertThat(contains(batch, "POST /api/generate")).isTrue();
        assertThat(contains(batch, ProxySpans.MODEL)).isTrue();
        assertThat(contains(batch, "mistral")).isTrue();
        assertThat(contains(batch, "keepwarm")).as("service.name from spring.application.name").isTrue();
    }

    private static boolean contains(byte[] body, String text) {
        return indexOf(body, text.getBytes(StandardCharsets.UTF_8)) >= 0;
    }

    private static int indexOf(byte[] body, byte[] part) {
        outer: for (int i = 0; i + part.length <= body.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (body[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

}
