package dev.keepwarm.warmer;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.LoadedModel;
import dev.keepwarm.fake.ModelSpec;
import dev.keepwarm.fake.Received;
import dev.keepwarm.support.TestClock;
import dev.keepwarm.support.WarmerTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Pinned models stay resident through idle time, client keep_alives, restarts, /v1
 * traffic and abandoned loads.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.interval=200ms", "keepwarm.warmer.thrash.reloads=1000",
                "keepwarm.policy.models[0].match=llama3.2:1b", "keepwarm.policy.models[0].keep-alive=forever",
                "keepwarm.policy.models[0].warm=true", "keepwarm.policy.models[0].options.num_ctx=8192",
                "keepwarm.policy.models[1].match=nomic-embed-text", "keepwarm.policy.models[1].keep-alive=forever",
                "keepwarm.policy.models[1].warm=true", "keepwarm.policy.models[2].match=phi*",
                "keepwarm.policy.models[2].keep-alive=forever", "keepwarm.policy.models[2].warm=true",
                "keepwarm.policy.models[3].match=slow*", "keepwarm.policy.models[3].keep-alive=forever",
                "keepwarm.policy.models[3].warm=true" })
@ExtendWith(OutputCaptureExtension.class)
class WarmerTest extends WarmerTestBase {

    private static final FakeOllama OLLAMA = FakeOllama.start(TestClock.CLOCK)
        .withModel("llama3.2:1b")
        .withModel(ModelSpec.embeddingModel("nomic-embed-text"))
        .withModel("phi3")
        .withModel(ModelSpec.of("slowload").withLoadTime(Duration.ofMillis(1500)));

    @LocalServerPort
    int port;

    @Autowired
    Warmer warmer;

    @BeforeEach
    void startWarm() {
        OLLAMA.reset();
        awaitPinned(OLLAMA, "llama3.2:1b");
        awaitPinned(OLLAMA, "nomic-embed-text");
    }

    @Test
    void pinnedModelsArePreloadedWithTheirKeepAliveAndOptions() {
        Received ping = pings("/api/generate", "llama3.2:1b").get(0);
        assertThat(ping.json().get("keep_alive").asInt()).isEqualTo(-1);
        assertThat(ping.json().get("options").get("num_ctx").asInt()).isEqualTo(8192);
        assertThat(ping.json().has("prompt")).isFalse();
        assertThat(OLLAMA.loaded()).filteredOn(m -> m.name().equals("llama3.2:1b"))
            .singleElement()
            .extracting(LoadedModel::contextLength)
            .isEqualTo(8192);
    }

    @Test
    void embeddingModelIsWarmedThroughEmbed() {
        assertThat(pings("/api/embed", "nomic-embed-text")).isNotEmpty()
            .allSatisfy(ping -> assertThat(ping.json().get("keep_alive").asInt()).isEqualTo(-1));
        assertThat(pings("/api/generate", "nomic-embed-text")).isEmpty();
    }

    @Test
    void idleGapLongerThanOllamasDefaultKeepAliveStillFindsThePinnedModelWarm() {
        TestClock.CLOCK.advance(Duration.ofMinutes(30));
        JsonNode answer = generate("{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\",\"stream\":false}");

        assertThat(answer.get("load_duration").asLong()).isLessThan(Duration.ofMillis(50).toNanos());
        assertThat(OLLAMA.loadCount("llama3.2:1b")).isEqualTo(1);
    }

    @Test
    void clientKeepAliveOfFiveMinutesDoesNotUnpinThePinnedModel() {
        generate("{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\",\"stream\":false,\"keep_alive\":\"5m\"}");
        assertThat(model("llama3.2:1b").forever()).isTrue();

        // a client that goes to Ollama directly un-pins it; the next reconcile pins it
        // again, without a reload
        WebClient.create(OLLAMA.url().toString())
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"llama3.2:1b\",\"keep_alive\":\"5m\",\"options\":{\"num_ctx\":8192}}")
            .retrieve()
            .bodyToMono(String.class)
            .block(Duration.ofSeconds(10));
        assertThat(model("llama3.2:1b").forever()).isFalse();
        awaitPinned(OLLAMA, "llama3.2:1b");
        assertThat(OLLAMA.loadCount("llama3.2:1b")).isEqualTo(1);
    }

    @Test
    void restartedOllamaIsRewarmedWithinAnInterval() {
        OLLAMA.restart();
        assertThat(OLLAMA.loaded()).isEmpty();
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            assertThat(model("llama3.2:1b").forever()).isTrue();
            assertThat(model("nomic-embed-text").forever()).isTrue();
        });
    }

    @Test
    void coldPinnedModelIsPingedOnceBeforeConcurrentOpenAiRequests() {
        String body = "{\"model\":\"phi3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        List<Integer> statuses = Flux.fromStream(IntStream.range(0, 10).boxed())
            .flatMap(i -> WebClient.create("http://localhost:" + port)
                .post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value())))
            .collectList()
            .block(Duration.ofSeconds(20));
        assertThat(statuses).hasSize(10).containsOnly(200);

        List<Received> all = OLLAMA.received();
        List<Received> phiPings = pings("/api/generate", "phi3");
        assertThat(phiPings).singleElement()
            .satisfies(ping -> assertThat(ping.json().get("keep_alive").asInt()).isEqualTo(-1));
        int firstCompatible = indexOf(all, r -> r.path().equals("/v1/chat/completions"));
        assertThat(all.indexOf(phiPings.get(0))).isLessThan(firstCompatible);
        assertThat(model("phi3").forever()).isTrue();
    }

    @Test
    void openAiTrafficToAModelPinnedWithOptionsIsReportedAsAConflict(CapturedOutput output) {
        WebClient.create("http://localhost:" + port)
            .post()
            .uri("/v1/chat/completions")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"llama3.2:1b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
            .retrieve()
            .bodyToMono(String.class)
            .block(Duration.ofSeconds(10));

        assertThat(warmer.state().model("llama3.2:1b"))
            .hasValueSatisfying(state -> assertThat(state.conflict()).contains("num_ctx=8192"));
        assertThat(output.getOut()).contains("OLLAMA_CONTEXT_LENGTH=8192");
    }

    @Test
    void loadAbandonedByItsClientIsFinishedByAPing() {
        WebClient.create("http://localhost:" + port)
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"slowload\",\"prompt\":\"hi\"}")
            .retrieve()
            .bodyToFlux(String.class)
            .take(Duration.ofMillis(300))
            .collectList()
            .block(Duration.ofSeconds(10));

        await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(OLLAMA.loaded())
                .anySatisfy(m -> assertThat(m.name()).isEqualTo("slowload:latest")));
        assertThat(OLLAMA.cancelled()).extracting(Received::path).contains("/api/generate");
        assertThat(pings("/api/generate", "slowload")).isNotEmpty()
            .allSatisfy(ping -> assertThat(ping.json().get("keep_alive").asInt()).isEqualTo(-1));
    }

    private JsonNode generate(String body) {
        String answer = WebClient.create("http://localhost:" + port)
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .retrieve()
            .bodyToMono(String.class)
            .block(Duration.ofSeconds(10));
        return tools.jackson.databind.json.JsonMapper.builder().build().readTree(answer);
    }

    /** Requests without a prompt (load pings) for a model. */
    private static List<Received> pings(String path, String model) {
        return OLLAMA.received(path)
            .stream()
            .filter(r -> r.json() != null && r.json().path("model").asString("").startsWith(model))
            .filter(r -> !r.json().has("prompt") && !r.json().has("input") && !r.json().has("messages"))
            .toList();
    }

    private static LoadedModel model(String name) {
        String full = name.contains(":") ? name : name + ":latest";
        return OLLAMA.loaded()
            .stream()
            .filter(m -> m.name().equals(full))
            .findFirst()
            .orElseThrow(() -> new AssertionError(name + " is not loaded: " + OLLAMA.loaded()));
    }

    private static int indexOf(List<Received> all, java.util.function.Predicate<Received> test) {
        return IntStream.range(0, all.size()).filter(i -> test.test(all.get(i))).findFirst().orElse(-1);
    }

}
