package dev.keepwarm.access;

import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.keepwarm.access.Keys.INFERENCE_KEY;
import static dev.keepwarm.access.Keys.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * A refused request is logged with the client keepwarm can vouch for: a client's own
 * X-Forwarded-For is not it.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = RANDOM_PORT, properties = { "keepwarm.warmer.enabled=false",
        "keepwarm.proxy.trusted-proxies=10.0.0.0/8", "logging.level.dev.keepwarm.access=DEBUG" })
class RefusalLogTest extends ProxyTestBase {

    @DynamicPropertySource
    static void keys(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.security.api-keys[0].name", () -> "webui");
        registry.add("keepwarm.security.api-keys[0].key-sha256", () -> sha256(INFERENCE_KEY));
    }

    @Test
    void refusalOfAnUntrustedPeerLogsThePeerNotItsForwardedFor(CapturedOutput output) {
        refusedTags("http://127.0.0.1:" + port, "10.9.9.9, 203.0.113.7");
        assertThat(output).contains("Refused GET /api/tags from 127.0.0.1: missing")
            .doesNotContain("203.0.113.7")
            .doesNotContain("10.9.9.9");
    }

    /** A GET /api/tags without a key, with the given X-Forwarded-For: 401. */
    static void refusedTags(String baseUrl, String forwardedFor) {
        webTestClient(baseUrl).get()
            .uri("/api/tags")
            .header("X-Forwarded-For", forwardedFor)
            .exchange()
            .expectStatus()
            .isUnauthorized();
    }

}
