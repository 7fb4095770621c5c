package dev.keepwarm.proxy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import dev.keepwarm.support.WarmerCalls;
import io.github.resilience4j.retry.RetryRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Ollama is not there: keepwarm starts anyway and answers 502 in Ollama's error shape,
 * quickly.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.interval=100ms", "keepwarm.policy.models[0].match=llama3.2:1b",
                "keepwarm.policy.models[0].keep-alive=forever", "keepwarm.policy.models[0].warm=true" })
@ExtendWith(OutputCaptureExtension.class)
class UpstreamFailureTest {

    private static final int CLOSED_PORT = closedPort();

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    RetryRegistry retries;

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.upstream.url", () -> "http://127.0.0.1:" + CLOSED_PORT);
        registry.add("management.server.port", () -> "0");
    }

    @Test
    void unreachableOllamaGets502WithTheUpstreamAndTheReason() {
        WebTestClient client = dev.keepwarm.support.ProxyTestBase.webTestClient("http://localhost:" + port);
        for (String path : new String[] { "/api/tags", "/api/generate" }) {
            client.post()
                .uri(path)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"m\",\"prompt\":\"x\"}")
                .exchange()
                .expectStatus()
                .isEqualTo(502)
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$.error")
                .value(String.class,
                        message -> org.assertj.core.api.Assertions.assertThat(message)
                            .startsWith("keepwarm: upstream http://127.0.0.1:" + CLOSED_PORT + " unreachable: ")
                            .containsIgnoringCase("refused"));
        }
    }

    @Test
    void keepwarmIsLiveAndReadyWhileOllamaIsDownAndTheWarmerWaitsQuietly(CapturedOutput output) {
        WebTestClient management = dev.keepwarm.support.ProxyTestBase
            .webTestClient("http://localhost:" + managementPort);
        for (String probe : new String[] { "liveness", "readiness" }) {
            management.get()
                .uri("/actuator/health/" + probe)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP");
        }
        management.get()
            .uri("/actuator/health")
            .exchange()
            .expectStatus()
            .isEqualTo(503)
            .expectBody()
            .jsonPath("$.components.ollama.status")
            .isEqualTo("DOWN");
        // ten reconcile ticks against a closed port: each tick's /api/ps is one warmer
        // call, refused or failed (no
        // pings while Ollama is down, and the health checks above have ended)
        long calls = WarmerCalls.ended(retries);
        await().atMost(Duration.ofSeconds(10)).until(() -> WarmerCalls.ended(retries) >= calls + 10);
        String out = output.getOut();
        int warnings = out.split("Ollama cannot be reached", -1).length - 1;
        org.assertj.core.api.Assertions.assertThat(warnings).as("outage logged once, not every tick").isEqualTo(1);
        org.assertj.core.api.Assertions.assertThat(out).doesNotContain(" ERROR ");
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

}
