package dev.keepwarm.ollama;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.support.ProxyTestBase;
import dev.keepwarm.support.TestPki;
import dev.keepwarm.support.TlsEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Certificate rotation: the bundle has reload-on-update, and its client certificate files
 * are replaced while keepwarm runs. New connections to Ollama use the new certificate,
 * without a restart.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.enabled=false", "keepwarm.upstream.ssl-bundle=ollama",
                "spring.ssl.bundle.pem.ollama.reload-on-update=true",
                "spring.ssl.bundle.watch.file.quiet-period=100ms" })
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext
class UpstreamTlsReloadTest {

    private static final FakeOllama OLLAMA = FakeOllama.start().withModel("llama3.2:1b");

    private static final TestPki PKI = TestPki.get();

    private static final TlsEndpoint HTTPS = TlsEndpoint.mutual(PKI.server(), PKI.caX509(), OLLAMA.port());

    /** The bundle's key store: a certificate no CA issued, until the test replaces it. */
    private static final Path FILES = keyStoreFiles();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.upstream.url", () -> HTTPS.url().toString());
        registry.add("management.server.port", () -> "0");
        registry.add("spring.ssl.bundle.pem.ollama.truststore.certificate", () -> "file:" + PKI.caCertificate());
        registry.add("spring.ssl.bundle.pem.ollama.keystore.certificate", () -> "file:" + FILES.resolve("cert.pem"));
        registry.add("spring.ssl.bundle.pem.ollama.keystore.private-key", () -> "file:" + FILES.resolve("key.pem"));
    }

    @AfterAll
    static void stop() {
        HTTPS.close();
        OLLAMA.close();
    }

    @Test
    void aReplacedClientCertificateIsUsedByNewConnectionsWithoutARestart(CapturedOutput output) throws IOException {
        assertThat(generate().expectStatus().isEqualTo(502).expectBody(String.class).returnResult().getResponseBody())
            .as("the self-signed certificate is refused")
            .contains("refused keepwarm's client certificate");

        PKI.client().copyTo(FILES);

        await().atMost(Duration.ofSeconds(20))
            .untilAsserted(() -> assertThat(output.getOut())
                .contains("SSL bundle 'ollama' (keepwarm.upstream.ssl-bundle) reloaded"));
        generate().expectStatus().isOk().expectBody().jsonPath("$.done").isEqualTo(true);
        assertThat(HTTPS.handshakes()).as("the connection presented the CA-issued certificate")
            .containsExactly("CN=keepwarm");
    }

    private WebTestClient.ResponseSpec generate() {
        return ProxyTestBase.webTestClient("http://localhost:" + port)
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\",\"stream\":false}")
            .exchange();
    }

    private static Path keyStoreFiles() {
        try {
            Path dir = PKI.newDirectory();
            PKI.selfSignedClient().copyTo(dir);
            return dir;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
