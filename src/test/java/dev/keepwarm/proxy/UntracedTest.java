package dev.keepwarm.proxy;

import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Tracing is off by default: no spans are made, and a client's trace headers go to Ollama
 * exactly as it sent them, as a plain reverse proxy passes them.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT, properties = "keepwarm.warmer.enabled=false")
class UntracedTest extends ProxyTestBase {

    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Autowired
    ProxyTracer tracer;

    @Test
    void withoutAnExporterNothingIsTracedAndTheClientsTraceHeadersPassUnchanged() {
        assertThat(tracer).isSameAs(ProxyTracer.NONE);

        client().post()
            .uri("/api/generate")
            .header("traceparent", TRACEPARENT)
            .header("tracestate", "vendor=abc")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"mistral\",\"prompt\":\"hi\"}")
            .exchange()
            .expectStatus()
            .isOk();

        assertThat(FAKE.received("/api/generate")).singleElement().satisfies(sent -> {
            assertThat(sent.headers().get("traceparent")).containsExactly(TRACEPARENT);
            assertThat(sent.headers().get("tracestate")).containsExactly("vendor=abc");
        });
    }

}
