package dev.keepwarm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.ModelSpec;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The bench's fake Ollama process: its model options and its residency answer. */
class FakeOllamaServerTest {

    @Test
    void modelOptionTakesLoadTimeAndOptionalSize() {
        assertThat(FakeOllamaServer.modelSpec("m00-rare=12,4000000000")).satisfies(spec -> {
            assertThat(spec.name()).isEqualTo("m00-rare");
            assertThat(spec.loadTime()).isEqualTo(Duration.ofMillis(12));
            assertThat(spec.sizeBytes()).isEqualTo(4_000_000_000L);
        });
        assertThat(FakeOllamaServer.modelSpec("zipf-01:1b=1500").sizeBytes()).isEqualTo(ModelSpec.DEFAULT_SIZE_BYTES);
        assertThat(FakeOllamaServer.modelSpec("bench").loadTime()).isEqualTo(ModelSpec.DEFAULT_LOAD_TIME);
    }

    @Test
    void residencyAnswerListsEveryStayWithMicrosecondInstants() {
        try (FakeOllama ollama = FakeOllama.start().withModel(FakeOllamaServer.modelSpec("a=5,3000000000"))) {
            new TestPing(ollama).generate("a");

            JsonNode answer = JsonMapper.builder().build().readTree(FakeOllamaServer.residencyJson(List.of(ollama)));

            JsonNode stay = answer.path("stays").get(0);
            assertThat(stay.path("model").stringValue()).isEqualTo("a:latest");
            assertThat(stay.path("size").longValue()).isEqualTo(3_000_000_000L);
            assertThat(stay.path("loaded_us").longValue() - stay.path("load_started_us").longValue())
                .isGreaterThanOrEqualTo(5_000);
            assertThat(stay.path("unloaded_us").isNull()).isTrue();
            assertThat(stay.path("requests").intValue()).isEqualTo(1);
            assertThat(answer.path("now_us").longValue()).isGreaterThanOrEqualTo(stay.path("loaded_us").longValue());
        }
    }

    /** One non-streamed generate, with java.net.http. */
    private record TestPing(FakeOllama ollama) {

        void generate(String model) {
            try {
                var response = java.net.http.HttpClient.newHttpClient()
                    .send(java.net.http.HttpRequest.newBuilder(ollama.url().resolve("/api/generate"))
                        .POST(java.net.http.HttpRequest.BodyPublishers
                            .ofString("{\"model\":\"" + model + "\",\"prompt\":\"hi\",\"stream\":false}"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
            }
            catch (java.io.IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        }

    }

}
