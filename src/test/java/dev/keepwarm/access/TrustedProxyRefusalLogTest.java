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
import static dev.keepwarm.access.RefusalLogTest.refusedTags;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Behind trusted proxies the logged client is the last X-Forwarded-For hop that is not
 * one of them: what the outermost trusted proxy saw. Anything left of it is the client's
 * word only.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = RANDOM_PORT, properties = { "keepwarm.warmer.enabled=false",
        "keepwarm.proxy.trusted-proxies=127.0.0.1/32, 10.0.0.0/8", "logging.level.dev.keepwarm.access=DEBUG" })
class TrustedProxyRefusalLogTest extends ProxyTestBase {

    @DynamicPropertySource
    static void keys(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.security.api-keys[0].name", () -> "webui");
        registry.add("keepwarm.security.api-keys[0].key-sha256", () -> sha256(INFERENCE_KEY));
    }

    @Test
    void refusalBehindTrustedProxiesLogsTheFirstUntrustedHopFromTheRight(CapturedOutput output) {
        refusedTags("http://127.0.0.1:" + port, "192.0.2.1, 198.51.100.9, 10.2.2.2");
        assertThat(output).contains("Refused GET /api/tags from 198.51.100.9: missing");
    }

    @Test
    void hopThatIsNoPlainAddressEndsTheWalkAtTheHopBeforeIt(CapturedOutput output) {
        refusedTags("http://127.0.0.1:" + port, "198.51.100.9, evil.example:80, 10.2.2.2");
        assertThat(output).contains("Refused GET /api/tags from 10.2.2.2: missing").doesNotContain("evil.example");
    }

}
