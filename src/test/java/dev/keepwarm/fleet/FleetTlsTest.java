package dev.keepwarm.fleet;

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
 * One SSL bundle for a whole fleet: a configured https host and a host discovered with
 * scheme https go over TLS with it, a configured http host stays plain; the warmer and
 * the proxy reach all three.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.interval=500ms", "keepwarm.warmer.ps-timeout=450ms",
                "keepwarm.upstream.ssl-bundle=ollama", "keepwarm.upstream.discovery.dns=localhost",
                "keepwarm.upstream.discovery.scheme=https", "keepwarm.upstream.discovery.refresh=1s" })
@DirtiesContext
class FleetTlsTest {

    private static final TestPki PKI = TestPki.get();

    private static final FakeOllama BEHIND_TLS = FakeOllama.start().withModel("mistral");

    private static final FakeOllama PLAIN = FakeOllama.start().withModel("qwen2.5:7b");

    private static final FakeOllama DISCOVERED = FakeOllama.start().withModel("llama3.2:1b");

    private static final TlsEndpoint TLS = TlsEndpoint.start(PKI.server(), BEHIND_TLS.port());

    private static final TlsEndpoint DISCOVERED_TLS = TlsEndpoint.start(PKI.server(), DISCOVERED.port());

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        // a list binds from one property source: names and URLs both here
        registry.add("keepwarm.upstream.hosts[0].name", () -> "tls");
        registry.add("keepwarm.upstream.hosts[1].name", () -> "plain");
        registry.add("keepwarm.upstream.hosts[0].url", () -> TLS.url().toString());
        registry.add("keepwarm.upstream.hosts[1].url", () -> PLAIN.url().toString());
        registry.add("keepwarm.upstream.discovery.port", DISCOVERED_TLS::port);
        registry.add("management.server.port", () -> "0");
        registry.add("spring.ssl.bundle.pem.ollama.truststore.certificate", () -> "file:" + PKI.caCertificate());
    }

    @AfterAll
    static void stop() {
        TLS.close();
        DISCOVERED_TLS.close();
        BEHIND_TLS.close();
        PLAIN.close();
        DISCOVERED.close();
    }

    @Test
    void everyHostIsReachedWithItsOwnScheme() {
        await().atMost(Duration.ofSeconds(15))
            .untilAsserted(() -> assertThat(new FakeOllama[] { BEHIND_TLS, PLAIN, DISCOVERED })
                .as("the warmer read every host's catalogue")
                .allMatch(ollama -> !ollama.received("/api/tags").isEmpty()));

        generate("mistral", "tls");
        generate("qwen2.5:7b", "plain");
        generate("llama3.2:1b", "127-0-0-1");
        assertThat(TLS.handshakes()).as("TLS to the configured https host").isNotEmpty();
        assertThat(DISCOVERED_TLS.handshakes()).as("TLS to the discovered host").isNotEmpty();
    }

    private void generate(String model, String host) {
        ProxyTestBase.webTestClient("http://localhost:" + port)
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"" + model + "\",\"prompt\":\"hi\",\"stream\":false}")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Keepwarm-Upstream", host);
    }

}
