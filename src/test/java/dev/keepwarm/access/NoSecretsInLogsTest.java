package dev.keepwarm.access;

import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.keepwarm.access.Keys.INFERENCE_KEY;
import static dev.keepwarm.access.Keys.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Prompts, request bodies and keys never reach the log, even with keepwarm and Spring's
 * web stack at DEBUG: there is no flag that logs bodies, and keys are only ever hashed.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.enabled=false", "keepwarm.policy.default.keep-alive=10m",
                "logging.level.dev.keepwarm=DEBUG", "logging.level.org.springframework.web=DEBUG",
                "logging.level.org.springframework.http=DEBUG" })
class NoSecretsInLogsTest extends ProxyTestBase {

    private static final String PROMPT = "zebra-quartz-prompt-8841";

    private static final String WRONG_KEY = "kw-typo-of-a-real-key-3310";

    @DynamicPropertySource
    static void keys(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.security.api-keys[0].name", () -> "webui");
        registry.add("keepwarm.security.api-keys[0].key-sha256", () -> sha256(INFERENCE_KEY));
    }

    @Test
    void promptsAndKeysNeverAppearInTheLogAtDebug(CapturedOutput output) {
        String generate = "{\"model\":\"mistral\",\"prompt\":\"" + PROMPT + "\",\"stream\":false}";
        String chat = "{\"model\":\"mistral\",\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]}";
        post("/api/generate", INFERENCE_KEY, generate).expectStatus().isOk();
        post("/api/chat", INFERENCE_KEY, chat).expectStatus().isOk();
        post("/v1/chat/completions", INFERENCE_KEY, chat).expectStatus().isOk();
        post("/api/show", INFERENCE_KEY, "{\"model\":\"" + PROMPT + "\"}").expectStatus().isNotFound();
        post("/api/generate", WRONG_KEY, generate).expectStatus().isUnauthorized();
        post("/api/generate", null, generate).expectStatus().isUnauthorized();
        FAKE.failNext("/api/generate", 500, "{\"error\":\"runner crashed\"}");
        post("/api/generate", INFERENCE_KEY, generate).expectStatus().isEqualTo(500);

        assertThat(FAKE.received("/api/generate")).anySatisfy(r -> assertThat(r.bodyText()).contains(PROMPT));
        assertThat(output).as("DEBUG is on for keepwarm").contains("Refused POST /api/generate");
        assertThat(output).doesNotContain(PROMPT)
            .doesNotContain(INFERENCE_KEY)
            .doesNotContain(WRONG_KEY)
            .doesNotContain(sha256(INFERENCE_KEY));
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec post(String path, String key,
            String json) {
        return client().post().uri(path).contentType(MediaType.APPLICATION_JSON).headers(headers -> {
            if (key != null) {
                headers.set(HttpHeaders.AUTHORIZATION, "Bearer " + key);
            }
        }).bodyValue(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)).exchange();
    }

}
