package dev.keepwarm.proxy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import dev.keepwarm.fake.ModelSpec;
import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * The fault table: long loads, silent streams, Ollama's errors and clients' mistakes
 * never hang or break keepwarm.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.enabled=false", "keepwarm.upstream.idle-timeout=1s",
                "keepwarm.proxy.max-request-size=1MB", "keepwarm.policy.default.keep-alive=10m" })
@ExtendWith(OutputCaptureExtension.class)
class FaultToleranceTest extends ProxyTestBase {

    @Test
    void loadLongerThanTheIdleTimeoutBeforeHeadersIsNeverCut() {
        FAKE.withModel(ModelSpec.of("huge").withLoadTime(Duration.ofMillis(2500)));
        List<String> lines = lines("{\"model\":\"huge\",\"prompt\":\"hi\"}");
        assertThat(lines).last().asString().contains("\"done\":true");
        assertThat(lines).noneMatch(line -> line.contains("\"error\""));
    }

    @Test
    void silenceMidStreamLongerThanTheIdleTimeoutEndsWithAnErrorLineNamingIt() {
        FAKE.tokens(3, Duration.ofMillis(1800));
        List<String> lines = lines("{\"model\":\"mistral\",\"prompt\":\"hi\"}");
        assertThat(lines).last()
            .isEqualTo("{\"error\":\"keepwarm: no data from upstream for 1s (keepwarm.upstream.idle-timeout)\"}");
        assertThat(lines).noneMatch(line -> line.contains("\"done\":true"));
    }

    @Test
    void ollamaInternalErrorPassesThroughUnchanged() {
        String failure = "{\"error\":\"timed out waiting for llama-server to start\"}";
        FAKE.failNext("/api/generate", 500, failure);
        client().post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"mistral\",\"prompt\":\"hi\"}")
            .exchange()
            .expectStatus()
            .isEqualTo(500)
            .expectBody(String.class)
            .isEqualTo(failure);
    }

    @Test
    void clientMistakesGetOllamasOwnFourHundredsOrA413AndNothingIsLoggedAtError(CapturedOutput output) {
        byte[] latin1 = "{\"model\":\"mistral\",\"prompt\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        String deep = "{\"model\":\"mistral\",\"prompt\":\"x\",\"options\":" + "[".repeat(5000) + "]".repeat(5000)
                + "}";
        String huge = "{\"model\":\"mistral\",\"prompt\":\"" + "a".repeat(2 * 1024 * 1024) + "\"}";
        assertThat(status("{")).isEqualTo(400); // malformed JSON
        // wrong type
        assertThat(status("{\"model\":42,\"prompt\":\"hi\"}")).isEqualTo(400);
        assertThat(status("{\"model\":\"mistral\",\"keep_alive\":true}")).isEqualTo(400);
        assertThat(status("")).isEqualTo(400); // empty body
        assertThat(status("[1,2,3]")).isEqualTo(400); // not an object
        assertThat(status(latin1)).isLessThan(500); // not UTF-8
        assertThat(status(deep)).isBetween(400, 499); // deeply nested
        assertThat(status(huge)).isEqualTo(413); // over max-request-size
        assertThat(output.getOut()).doesNotContain(" ERROR ");
    }

    @Test
    void ollamaRestartingBetweenRequestsDoesNotFailTheNextOne() {
        assertThat(status("{\"model\":\"mistral\",\"prompt\":\"hi\",\"stream\":false}")).isEqualTo(200);
        FAKE.restart(); // pooled keep-alive connections to the old Ollama are dead now
        assertThat(status("{\"model\":\"mistral\",\"prompt\":\"hi\",\"stream\":false}")).isEqualTo(200);
    }

    private int status(Object body) {
        byte[] bytes = body instanceof byte[] raw ? raw : ((String) body).getBytes(StandardCharsets.UTF_8);
        return WebClient.create(baseUrl())
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(bytes)
            .exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value()))
            .block(Duration.ofSeconds(20));
    }

    private List<String> lines(String body) {
        return WebClient.create(baseUrl())
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .retrieve()
            .bodyToFlux(String.class)
            .collectList()
            .block(Duration.ofSeconds(20));
    }

}
