package dev.keepwarm.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.keepwarm.KeepwarmApplication;
import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.support.OwnLogging;
import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code logging.structured.format.console=ecs}: one JSON object per line, with the
 * model, route, host and keep_alive decision as fields a log pipeline can filter on, and
 * never the prompt.
 */
@ExtendWith(OutputCaptureExtension.class)
class StructuredLogsTest {

    private static final FakeOllama OLLAMA = FakeOllama.start().withModel("llama3.2:1b");

    private static final String PROMPT = "the-prompt-no-log-may-hold-4711";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @AfterAll
    static void stopFake() {
        OLLAMA.close();
    }

    @Test
    void ecsLinesCarryModelRouteHostAndDecisionAsFieldsAndNeverThePrompt(CapturedOutput output) throws Exception {
        OwnLogging.run(() -> structuredRun(output));
    }

    private static void structuredRun(CapturedOutput output) {
        try (ConfigurableApplicationContext keepwarm = new SpringApplicationBuilder(KeepwarmApplication.class).run(
                "--server.port=0", "--management.server.port=0", "--keepwarm.upstream.url=" + OLLAMA.url(),
                "--logging.structured.format.console=ecs", "--logging.level.dev.keepwarm.proxy.ProxyHandler=debug",
                "--keepwarm.policy.models[0].match=llama3.2:1b", "--keepwarm.policy.models[0].keep-alive=forever",
                "--keepwarm.policy.models[0].warm=true")) {
            int port = ((WebServerApplicationContext) keepwarm).getWebServer().getPort();
            await().atMost(Duration.ofSeconds(10)).until(() -> output.getOut().contains("Warmed llama3.2:1b"));
            ProxyTestBase.webTestClient("http://localhost:" + port)
                .post()
                .uri("/api/generate")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"llama3.2:1b\",\"prompt\":\"" + PROMPT + "\",\"stream\":false}")
                .exchange()
                .expectStatus()
                .isOk();
            await().atMost(Duration.ofSeconds(5)).until(() -> output.getOut().contains("goes to default"));

            List<JsonNode> lines = jsonLines(output.getOut());
            assertThat(lines).as("every line of the run is JSON").isNotEmpty();
            JsonNode warmed = lines.stream()
                .filter(line -> line.path("message").asString("").startsWith("Warmed llama3.2:1b"))
                .findFirst()
                .orElseThrow();
            assertThat(warmed.path("model").asString()).isEqualTo("llama3.2:1b");
            assertThat(warmed.path("host").asString()).isEqualTo("default");
            assertThat(warmed.path("log").path("level").asString()).isEqualTo("INFO");
            JsonNode request = lines.stream()
                .filter(line -> line.path("message").asString("").contains("goes to default"))
                .findFirst()
                .orElseThrow();
            assertThat(request.path("model").asString()).isEqualTo("llama3.2:1b");
            assertThat(request.path("route").asString()).isEqualTo("/api/generate");
            assertThat(request.path("host").asString()).isEqualTo("default");
            assertThat(request.path("decision").asString()).isEqualTo("override");
            assertThat(request.path("keep_alive").asString()).isEqualTo("-1");
            assertThat(output.getAll()).doesNotContain(PROMPT);
        }
    }

    /** The output's lines that are JSON objects (a banner or JVM warning is not). */
    private static List<JsonNode> jsonLines(String out) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("{")) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

}
