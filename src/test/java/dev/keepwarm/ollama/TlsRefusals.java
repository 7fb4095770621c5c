package dev.keepwarm.ollama;

import java.time.Duration;

import dev.keepwarm.fake.FakeOllama;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a user sees when the TLS handshake with Ollama fails: the same for every cause.
 */
final class TlsRefusals {

    /**
     * The properties of a keepwarm whose warmer keeps one model warm; its /api/ps may
     * take long enough for a cold JVM's first TLS handshake.
     */
    static final String[] WARMER = { "keepwarm.warmer.interval=500ms", "keepwarm.warmer.ps-timeout=450ms",
            "keepwarm.policy.models[0].match=llama3.2:1b", "keepwarm.policy.models[0].keep-alive=forever",
            "keepwarm.policy.models[0].warm=true" };

    private TlsRefusals() {
    }

    /**
     * A proxied generate gets a quick 502 in Ollama's error shape that says {@code why},
     * the proxy logs it, and nothing reached Ollama (the warmer's calls included).
     */
    static void assertRefused(int port, FakeOllama ollama, CapturedOutput output, String why) {
        long started = System.nanoTime();
        WebTestClient.bindToServer()
            .baseUrl("http://localhost:" + port)
            .responseTimeout(Duration.ofSeconds(10))
            .build()
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\",\"stream\":false}")
            .exchange()
            .expectStatus()
            .isEqualTo(502)
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
            .expectBody()
            .jsonPath("$.error")
            .value(String.class,
                    message -> assertThat(message).startsWith("keepwarm: upstream https://127.0.0.1:").contains(why));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("refused at once, no hang")
            .isLessThan(Duration.ofSeconds(5));
        assertThat(output.getOut().lines()).as("the proxy's log line says why")
            .anyMatch(line -> line.contains(" WARN ") && line.contains("(POST /api/generate)") && line.contains(why));
        assertThat(ollama.received()).as("nothing reached Ollama").isEmpty();
    }

}
