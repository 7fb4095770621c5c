package dev.keepwarm.warmer;

import java.time.Duration;
import java.util.List;

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
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * A pin survives Ollama's own failure modes (OLLAMA-API.md, "Since v0.33"): an /api/ps
 * that hangs, a crashed runner still listed, a wedged scheduler; pings match /v1 traffic;
 * and names clients make up are not remembered.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.interval=500ms", "keepwarm.warmer.ps-timeout=400ms",
                "keepwarm.warmer.ping-timeout=5s", "keepwarm.warmer.verify-interval=1s",
                "keepwarm.warmer.thrash.reloads=1000", "keepwarm.policy.models[0].match=pinned",
                "keepwarm.policy.models[0].keep-alive=forever", "keepwarm.policy.models[0].warm=true",
                "keepwarm.policy.models[1].match=tuned", "keepwarm.policy.models[1].keep-alive=forever",
                "keepwarm.policy.models[1].warm=true", "keepwarm.policy.models[1].options.num_ctx=8192",
                "keepwarm.policy.models[1].options.temperature=0.2", "keepwarm.policy.models[2].match=qwen*",
                "keepwarm.policy.models[2].keep-alive=forever", "keepwarm.policy.models[2].warm=true" })
@ExtendWith(OutputCaptureExtension.class)
class PinIntegrityTest extends WarmerTestBase {

    private static final Duration LOAD = Duration.ofMillis(300);

    private static final FakeOllama OLLAMA = FakeOllama.start(TestClock.CLOCK)
        .automaticContext(true)
        .maxLoadedModels(8)
        .withModel(ModelSpec.of("pinned").withLoadTime(LOAD))
        .withModel(ModelSpec.of("tuned").withLoadTime(Duration.ofMillis(50)))
        .withModel(ModelSpec.of("qwen-known").withLoadTime(Duration.ZERO));

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    Warmer warmer;

    @BeforeEach
    void startWarm() {
        OLLAMA.answer("/api/ps");
        OLLAMA.unwedge();
        OLLAMA.reset();
        awaitPinned(OLLAMA, "pinned");
        awaitPinned(OLLAMA, "tuned");
    }

    @Test
    void hungPsIsCutCountedOnceAndWarmingResumesWhenOllamaAnswersAgain(CapturedOutput output) {
        int logStart = output.getOut().length();
        OLLAMA.hang("/api/ps");
        long before = warmer.state().timeouts(WarmState.Call.PS);
        await().atMost(Duration.ofSeconds(5)).until(() -> OLLAMA.received("/api/ps").stream().count() >= 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> warmer.state().timeouts(WarmState.Call.PS) >= before + 3);
        unload("pinned"); // behind keepwarm's back, while it cannot see

        OLLAMA.answer("/api/ps"); // the calls already hung stay hung: only new ones are
                                  // answered

        awaitPinned(OLLAMA, "pinned");
        assertThat(output.getOut().substring(logStart).split("sent no answer within", -1))
            .as("said once per outage, not every tick")
            .hasSize(2);
    }

    @Test
    void crashedRunnerStillListedIsReloadedByAVerificationPingNotByTheNextUser() {
        generate("pinned"); // waits for a load under way to finish
        int loads = OLLAMA.loadCount("pinned");
        OLLAMA.killRunner("pinned");
        // past verify-interval since the last ping
        TestClock.CLOCK.advance(Duration.ofSeconds(2));

        await().atMost(Duration.ofSeconds(5)).until(() -> OLLAMA.loadCount("pinned") == loads + 1);

        assertThat(loadedModel("pinned").keepAlive().isNegative()).as("reloaded with the pin").isTrue();
        JsonNode answer = generate("pinned");
        assertThat(Duration.ofNanos(answer.path("load_duration").asLong()))
            .as("the user's request finds the model warm")
            .isLessThan(LOAD);
        assertThat(OLLAMA.loadCount("pinned")).isEqualTo(loads + 1);
    }

    @Test
    void wedgedSchedulerIsReportedWithinTwoIntervalsIsNotFedAndRecoversByItself() {
        OLLAMA.wedge();
        unload("pinned");
        await().atMost(Duration.ofSeconds(3)).until(() -> pingsAfterUnload("pinned") >= 1);
        long pingSent = System.nanoTime();

        await().atMost(Duration.ofMillis(1000 + 500)).until(() -> ollamaHealth().contains("\"DOWN\""));
        assertThat(Duration.ofNanos(System.nanoTime() - pingSent)).as("within two intervals (+ scheduling slack)")
            .isLessThan(Duration.ofMillis(1500));
        assertThat(warmer.state().stall()).hasValueSatisfying(s -> assertThat(s.model()).isEqualTo("pinned:latest"));
        assertThat(ollamaHealth()).contains("ollama/ollama#17408").contains("pinned");

        // ten reconcile passes into the wedge, reported DOWN at every look meanwhile
        awaitReconcilePasses(OLLAMA, 10, () -> !ollamaHealth().contains("\"DOWN\""));
        assertThat(pingsAfterUnload("pinned")).as("pings sent into a wedge of ten intervals").isBetween(1L, 5L);
        assertThat(generate("tuned").path("done").asBoolean()).as("requests for a resident model still work").isTrue();

        OLLAMA.unwedge();

        awaitPinned(OLLAMA, "pinned");
        await().atMost(Duration.ofSeconds(5)).until(() -> ollamaHealth().contains("\"UP\""));
    }

    @Test
    void pingsCarryOnlyTheRulesRunnerOptionsAndMatchAutomaticContextV1Traffic() {
        unload("tuned");
        unload("pinned");
        awaitPinned(OLLAMA, "tuned");
        awaitPinned(OLLAMA, "pinned");
        generate("pinned"); // waits for the load to finish (a loading runner is listed
                            // already)
        Received tunedPing = pingsTo("tuned").get(pingsTo("tuned").size() - 1);
        assertThat(tunedPing.json().path("options").propertyNames()).as(tunedPing.json().toString())
            .containsExactly("num_ctx");
        assertThat(tunedPing.json().has("shift")).isFalse();
        Received pinnedPing = pingsTo("pinned").get(pingsTo("pinned").size() - 1);
        assertThat(pinnedPing.json().has("options")).as("no num_ctx: the runner gets Ollama's automatic context")
            .isFalse();

        int loads = OLLAMA.loadCount("pinned");
        for (int i = 0; i < 3; i++) {
            assertThat(vOneAnswers(i)).isTrue();
        }

        assertThat(OLLAMA.loadCount("pinned")).as("/v1 traffic reuses the pinged runner").isEqualTo(loads);
        assertThat(loadedModel("pinned").keepAlive().isNegative()).isTrue();
    }

    @Test
    void evictionInsideTheFreshWindowDoesNotLeaveAV1LoadUnpinned() {
        // The test clock stands still, so keepwarm's last confirmation stays "fresh" and
        // the /v1 gate skips its ping.
        unload("pinned");

        assertThat(vOneAnswers(0)).isTrue();

        await().atMost(Duration.ofSeconds(1))
            .until(() -> OLLAMA.loaded()
                .stream()
                .anyMatch(m -> m.name().equals("pinned:latest") && m.keepAlive().isNegative()));
    }

    @Test
    void namesClientsMakeUpForAGlobRuleAreNotRemembered() {
        assertThat(warmer.ping("qwen-known").block(Duration.ofSeconds(10))).isEqualTo(PingOutcome.LOADED);
        // each name is pinged once (Ollama answers 404) and forgotten; that the bound
        // itself never pushes out a loaded
        // model is WarmStateTest's
        Flux.range(0, 200)
            .flatMap(
                    i -> client().post()
                        .uri("/v1/chat/completions")
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("{\"model\":\"qwen-made-up-" + i + "\",\"messages\":[]}")
                        .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value())),
                    8)
            .collectList()
            .block(Duration.ofSeconds(120));

        assertThat(warmer.state().models()).extracting(ModelState::model)
            .noneMatch(name -> name.startsWith("qwen-made-up"))
            .contains("qwen-known:latest")
            .hasSizeLessThanOrEqualTo(WarmState.MAX_MODELS);
    }

    private boolean vOneAnswers(int i) {
        return vOneAnswersFor("pinned");
    }

    private boolean vOneAnswersFor(String model) {
        Integer status = client().post()
            .uri("/v1/chat/completions")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
            .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value()))
            .block(Duration.ofSeconds(10));
        return status != null && status == 200;
    }

    private JsonNode generate(String model) {
        return client().post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"" + model + "\",\"prompt\":\"hi\",\"stream\":false}")
            .retrieve()
            .bodyToMono(JsonNode.class)
            .block(Duration.ofSeconds(10));
    }

    private String ollamaHealth() {
        return WebClient.create("http://127.0.0.1:" + managementPort)
            .get()
            .uri("/actuator/health/ollama")
            .exchangeToMono(response -> response.bodyToMono(String.class))
            .block(Duration.ofSeconds(5));
    }

    /** Unloads a model directly at the fake, as another client or an eviction would. */
    private static void unload(String model) {
        JsonNode answer = WebClient.create(OLLAMA.url().toString())
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"" + model + "\",\"keep_alive\":0}")
            .retrieve()
            .bodyToMono(JsonNode.class)
            .block(Duration.ofSeconds(5));
        // Ollama's answer says it unloaded (a look at /api/ps would race the warmer,
        // which re-pins at once)
        assertThat(answer.path("done_reason").asString()).as(answer.toString()).isEqualTo("unload");
    }

    private static long pingsAfterUnload(String model) {
        List<Received> generate = OLLAMA.received("/api/generate");
        int unloadAt = -1;
        for (int i = 0; i < generate.size(); i++) {
            if (names(generate.get(i), model) && generate.get(i).json().path("keep_alive").asInt(-1) == 0) {
                unloadAt = i;
            }
        }
        return generate.subList(unloadAt + 1, generate.size()).stream().filter(r -> names(r, model)).count();
    }

    private static List<Received> pingsTo(String model) {
        return OLLAMA.received("/api/generate").stream().filter(r -> names(r, model)).toList();
    }

    /**
     * Whether the request names the model (keepwarm pings by the normalised name,
     * model:latest).
     */
    private static boolean names(Received request, String model) {
        String named = request.json().path("model").asString();
        return named.equals(model) || named.equals(model + ":latest");
    }

    private static LoadedModel loadedModel(String model) {
        return OLLAMA.loaded().stream().filter(m -> m.name().equals(model + ":latest")).findFirst().orElseThrow();
    }

    private WebClient client() {
        return WebClient.create("http://127.0.0.1:" + port);
    }

}
