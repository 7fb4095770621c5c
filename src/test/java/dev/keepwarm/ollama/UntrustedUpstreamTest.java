package dev.keepwarm.ollama;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.support.TestPki;
import dev.keepwarm.support.TlsEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * An https Ollama whose certificate a private CA issued, and no SSL bundle: the JDK's
 * trust store does not hold that CA, so the handshake is refused; the client gets a 502
 * that says why.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext
class UntrustedUpstreamTest {

    private static final FakeOllama OLLAMA = FakeOllama.start().withModel("llama3.2:1b");

    private static final TestPki PKI = TestPki.get();

    private static final TlsEndpoint HTTPS = TlsEndpoint.start(PKI.server(), OLLAMA.port());

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        for (String property : TlsRefusals.WARMER) {
            registry.add(property.substring(0, property.indexOf('=')),
                    () -> property.substring(property.indexOf('=') + 1));
        }
        registry.add("keepwarm.upstream.url", () -> HTTPS.url().toString());
        registry.add("management.server.port", () -> "0");

    }

    @AfterAll
    static void stop() {
        HTTPS.close();
        OLLAMA.close();
    }

    @Test
    void theHandshakeIsRefusedAndTheClientGets502SayingWhy(CapturedOutput output) {
        TlsRefusals.assertRefused(port, OLLAMA, output, "Ollama's certificate is not trusted");
    }

}
