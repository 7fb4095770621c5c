package dev.keepwarm.ollama;

import java.time.Duration;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.support.ProxyTestBase;
import dev.keepwarm.support.TestPki;
import dev.keepwarm.support.TlsEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

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
 * TLS to Ollama: an https Ollama behind a private CA that requires a client certificate
 * (mutual TLS), reached with a pem SSL bundle holding the CA and keepwarm's key. The
 * warmer's calls and proxied requests go over it.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.interval=500ms", "keepwarm.warmer.ps-timeout=450ms",
                "keepwarm.policy.models[0].match=llama3.2:1b", "keepwarm.policy.models[0].keep-alive=forever",
                "keepwarm.policy.models[0].warm=true", "keepwarm.upstream.ssl-bundle=ollama" })
@DirtiesContext
class UpstreamTlsTest {

    private static final FakeOllama OLLAMA = FakeOllama.start().withModel("llama3.2:1b");

    private static final TestPki PKI = TestPki.get();

    private static final TlsEndpoint HTTPS = TlsEndpoint.mutual(PKI.server(), PKI.caX509(), OLLAMA.port());

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.upstream.url", () -> HTTPS.url().toString());
        registry.add("management.server.port", () -> "0");
        registry.add("spring.ssl.bundle.pem.ollama.truststore.certificate", () -> "file:" + PKI.caCertificate());
        registry.add("spring.ssl.bundle.pem.ollama.keystore.certificate", () -> "file:" + PKI.client().certificate());
        registry.add("spring.ssl.bundle.pem.ollama.keystore.private-key", () -> "file:" + PKI.client().privateKey());
    }

    @AfterAll
    static void stop() {
        HTTPS.close();
        OLLAMA.close();
    }

    @Test
    void theWarmerPinsAModelOverMutualTlsAndAProxiedGenerateReachesTheClient() {
        await().atMost(Duration.ofSeconds(10))
            .until(() -> OLLAMA.loaded().stream().anyMatch(m -> m.name().equals("llama3.2:1b") && m.forever()));
        assertThat(OLLAMA.received("/api/ps")).as("the warmer's /api/ps went through the TLS endpoint").isNotEmpty();

        String body = ProxyTestBase.webTestClient("http://localhost:" + port)
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\",\"stream\":false}")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();

        assertThat(body).contains("\"done\":true").contains("\"response\"");
        assertThat(OLLAMA.received("/api/generate")).as("the prompt reached Ollama")
            .anyMatch(request -> request.bodyText().contains("\"prompt\":\"hi\""));
        assertThat(HTTPS.handshakes()).as("every connection presented keepwarm's client certificate")
            .isNotEmpty()
            .allMatch("CN=keepwarm"::equals);
    }

}
