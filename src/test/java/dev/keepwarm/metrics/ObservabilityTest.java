package dev.keepwarm.metrics;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.ModelSpec;
import dev.keepwarm.support.Scrape;
import dev.keepwarm.support.TestClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * What a Prometheus scrape and /actuator/keepwarm show after real traffic through the
 * proxy.
 */
// interval 1h: only the start-up preload and explicit reconciles run
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.interval=1h", "keepwarm.policy.models[0].match=pinned",
                "keepwarm.policy.models[0].keep-alive=forever", "keepwarm.policy.models[0].warm=true",
                "keepwarm.policy.models[1].match=cold*", "keepwarm.policy.models[1].keep-alive=5m",
                "keepwarm.policy.models[1].mode=fill", "keepwarm.policy.models[2].match=embedder",
                "keepwarm.policy.models[2].keep-alive=5m", "keepwarm.policy.models[2].mode=fill",
                "keepwarm.policy.default.keep-alive=10m" })
@Import(TestClock.class)
@DirtiesContext
class ObservabilityTest {

    private static final Duration COLD_LOAD = Duration.ofMillis(700);

    private static final FakeOllama OLLAMA = FakeOllama.start(TestClock.CLOCK)
        .withModel(ModelSpec.of("pinned").withLoadTime(Duration.ofMillis(50)))
        .withModel(ModelSpec.of("cold").withLoadTime(COLD_LOAD))
        .withModel(ModelSpec.of("coldish").withLoadTime(COLD_LOAD))
        .withModel(ModelSpec.embeddingModel("embedder").withLoadTime(COLD_LOAD));

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.upstream.url", () -> OLLAMA.url().toString());
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stopOllama() {
        OLLAMA.close();
    }

    @BeforeEach
    void pinnedIsPreloaded() {
        await().atMost(Duration.ofSeconds(5)).until(() -> OLLAMA.loadCount("pinned") >= 1);
    }

    @Test
    void coldRequestCountsAColdStartWithTheLoadTimeAndAWarmOneDoesNot() {
        OLLAMA.tokens(5, Duration.ofMillis(10));
        Scrape before = scrape();
        JsonNode first = generate("cold"); // loaded by nobody before: a cold load
        Scrape afterCold = scrapeOnceRecorded(before, "cold:latest", 1);
        generate("cold");
        Scrape afterWarm = scrapeOnceRecorded(before, "cold:latest", 2);

        assertThat(delta(before, afterCold, "keepwarm_cold_starts_total", "model", "cold:latest", "pinned", "false"))
            .isEqualTo(1);
        assertThat(delta(before, afterCold, "keepwarm_model_load_seconds_count", "model", "cold:latest", "source",
                "request"))
            .isEqualTo(1);
        assertThat(delta(before, afterCold, "keepwarm_model_load_seconds_sum", "model", "cold:latest", "source",
                "request"))
            .isCloseTo(first.get("load_duration").asLong() / 1e9, within(0.001))
            .isGreaterThanOrEqualTo(COLD_LOAD.toMillis() / 1000.0 - 0.05);
        assertThat(delta(afterCold, afterWarm, "keepwarm_cold_starts_total", "model", "cold:latest")).isZero();
        assertThat(delta(afterCold, afterWarm, "keepwarm_model_load_seconds_count", "model", "cold:latest", "source",
                "request"))
            .isEqualTo(1);
    }

    @Test
    void coldEmbedRequestIsCountedFromItsSingleJsonAnswer() {
        Scrape before = scrape();
        String answer = client().post()
            .uri("/api/embed")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"embedder\",\"input\":[\"a\",\"b\"]}")
            .retrieve()
            .bodyToMono(String.class)
            .block(Duration.ofSeconds(10));
        Scrape after = scrapeOnceRecorded(before, "embedder:latest", 1);

        long loadNanos = JSON.readTree(answer).get("load_duration").asLong();
        assertThat(delta(before, after, "keepwarm_cold_starts_total", "model", "embedder:latest")).isEqualTo(1);
        assertThat(delta(before, after, "keepwarm_model_load_seconds_sum", "model", "embedder:latest"))
            .isCloseTo(loadNanos / 1e9, within(0.001));
        assertThat(delta(before, after, "keepwarm_request_seconds_count", "model", "embedder:latest", "endpoint",
                "embed", "status", "200"))
            .isEqualTo(1);
    }

    @Test
    void tokensPerSecondMatchesOllamasOwnNumbers() {
        OLLAMA.tokens(8, Duration.ofMillis(20));
        Scrape before = scrape();
        JsonNode answer = generate("pinned");
        double expected = answer.get("eval_count").asLong() / (answer.get("eval_duration").asLong() / 1e9);

        Scrape after = scrapeOnceRecorded(before, "pinned:latest", 1);
        assertThat(delta(before, after, "keepwarm_tokens_per_second_sum", "model", "pinned:latest")).isCloseTo(expected,
                within(expected * 1e-6));
        assertThat(delta(before, after, "keepwarm_generated_tokens_total", "model", "pinned:latest"))
            .isEqualTo(answer.get("eval_count").asLong());
        // summed before dividing, rate(tokens) / rate(eval seconds) is the true rate over
        // many requests
        assertThat(delta(before, after, "keepwarm_eval_seconds_total", "model", "pinned:latest"))
            .isCloseTo(answer.get("eval_duration").asLong() / 1e9, within(1e-9));
    }

    @Test
    void scrapeContainsEveryKeepwarmMetric() {
        Scrape before = scrape();
        generate("pinned");
        generate("unknown-model-for-decisions");
        scrapeOnceRecorded(before, "other", 1);
        List<String> names = scrape().names();
        assertThat(names).contains("keepwarm_model_load_seconds_bucket", "keepwarm_cold_starts_total",
                "keepwarm_request_seconds_count", "keepwarm_time_to_first_chunk_seconds_count",
                "keepwarm_generated_tokens_total", "keepwarm_tokens_per_second_count",
                "keepwarm_keep_alive_decisions_total", "keepwarm_pings_total", "keepwarm_model_resident",
                "keepwarm_model_warm_wanted", "keepwarm_eval_seconds_total", "keepwarm_request_seconds_bucket",
                "keepwarm_time_to_first_chunk_seconds_bucket", "keepwarm_model_expires_in_seconds",
                "keepwarm_model_thrashing", "keepwarm_upstream_up", "resilience4j_circuitbreaker_state",
                "jvm_memory_used_bytes");
        Scrape scrape = scrape();
        assertThat(scrape.value("keepwarm_model_resident", "model", "pinned:latest")).isEqualTo(1);
        assertThat(scrape.value("keepwarm_model_warm_wanted", "model", "pinned:latest")).isEqualTo(1);
        assertThat(scrape.value("keepwarm_model_expires_in_seconds", "model", "pinned:latest"))
            .isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(scrape.value("keepwarm_pings_total", "model", "pinned:latest", "outcome", "loaded")).isPositive();
        assertThat(scrape.value("keepwarm_upstream_up")).isEqualTo(1);
    }

    @Test
    void everyMetricTheDashboardAndTheAlertsQueryExistsInTheScrape() throws Exception {
        OLLAMA.tokens(3, Duration.ZERO);
        Scrape before = scrape();
        generate("pinned");
        generate("cold");
        scrapeOnceRecorded(before, "cold:latest", 1);
        JsonNode dashboard = JSON
            .readTree(java.nio.file.Files.readString(java.nio.file.Path.of("deploy/grafana/keepwarm-dashboard.json")));
        java.util.Set<String> queried = new java.util.TreeSet<>();
        java.util.regex.Pattern metric = java.util.regex.Pattern.compile("\\bkeepwarm_[a-z_]+");
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                java.util.regex.Matcher m = metric.matcher(target.get("expr").asString());
                while (m.find()) {
                    queried.add(m.group());
                }
            }
        }
        assertThat(queried).hasSizeGreaterThan(10);
        // the fleet row's own metrics exist only on a fleet: FleetMetricsTest checks them
        queried.removeAll(FleetMetricsTest.FLEET_ONLY);
        assertThat(scrape().names()).containsAll(queried);

        // the alert rules query the same names
        java.util.regex.Matcher inAlerts = metric
            .matcher(java.nio.file.Files.readString(java.nio.file.Path.of("deploy/prometheus/alerts.yml")));
        java.util.Set<String> alerted = new java.util.TreeSet<>();
        while (inAlerts.find()) {
            alerted.add(inAlerts.group());
        }
        assertThat(alerted).contains("keepwarm_model_warm_wanted", "keepwarm_model_resident",
                "keepwarm_cold_starts_total", "keepwarm_model_thrashing", "keepwarm_upstream_up");
        assertThat(scrape().names()).containsAll(alerted);
    }

    @Test
    void modelTagStaysBoundedWithThriceMoreUnknownModelNamesThanTags() {
        int names = 3 * 100; // keepwarm.metrics.max-model-tags
        Flux.fromStream(IntStream.range(0, names).boxed())
            .flatMap(i -> client().post()
                .uri("/api/generate")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"unknown-" + i + "\",\"prompt\":\"x\"}")
                .exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value())), 32)
            .blockLast(Duration.ofSeconds(60));
        Scrape scrape = scrape();
        List<String> models = scrape.find("keepwarm_request_seconds_count")
            .stream()
            .map(s -> s.labels().get("model"))
            .distinct()
            .toList();
        assertThat(models).noneMatch(model -> model.startsWith("unknown-")).contains("other");
        assertThat(scrape.value("keepwarm_keep_alive_decisions_total", "model", "other")).isGreaterThanOrEqualTo(names);
    }

    @Test
    void endpointReflectsResidencyChangesAndReconcilesOnPost() {
        generate("coldish");
        reconcileAndAwait(report -> residentOf(report, "coldish:latest"));

        // past the rule's 5m keep-alive: Ollama unloads it
        TestClock.CLOCK.advance(Duration.ofMinutes(6));
        reconcileAndAwait(report -> !residentOf(report, "coldish:latest"));

        JsonNode report = report();
        assertThat(report.at("/upstream/up").asBoolean()).isTrue();
        assertThat(report.at("/upstream/version").asString()).isEqualTo("0.33.0");
        assertThat(report.get("rules")).hasSize(3);
        assertThat(report.at("/rules/0/match").asString()).isEqualTo("pinned");
        assertThat(report.at("/rules/0/warm").asBoolean()).isTrue();
        assertThat(report.at("/rules/0/keepAlive").asString()).isEqualTo("-1");
        assertThat(report.at("/rules/0/scheduleActive").isNull()).isTrue();
        JsonNode pinned = model(report, "pinned:latest");
        assertThat(pinned.get("resident").asBoolean()).isTrue();
        assertThat(pinned.get("forever").asBoolean()).isTrue();
        assertThat(pinned.get("lastPingOutcome").asString()).isEqualTo("loaded");
    }

    @Test
    void pingViaEndpointLoadsAPinnedModelThatWasDropped() {
        OLLAMA.reset(); // Ollama dropped everything; the hourly loop would not notice for
                        // a long time
        String result = WebClient.create("http://localhost:" + managementPort)
            .post()
            .uri("/actuator/keepwarm/pinned")
            .retrieve()
            .bodyToMono(String.class)
            .block(Duration.ofSeconds(10));
        assertThat(JSON.readTree(result).get("result").asString()).isEqualTo("loaded");
        assertThat(OLLAMA.loaded()).anySatisfy(m -> assertThat(m.name()).isEqualTo("pinned:latest"));
    }

    @Test
    void healthShowsKeepwarmAndOllamaWhileProbesIgnoreThem() {
        JsonNode health = JSON.readTree(WebClient.create("http://localhost:" + managementPort)
            .get()
            .uri("/actuator/health")
            .retrieve()
            .bodyToMono(String.class)
            .block(Duration.ofSeconds(10)));
        assertThat(health.at("/components/ollama/status").asString()).isEqualTo("UP");
        assertThat(health.at("/components/keepwarm/details/pinned:latest").asString()).startsWith("loaded");
        for (String probe : new String[] { "liveness", "readiness" }) {
            JsonNode group = JSON.readTree(WebClient.create("http://localhost:" + managementPort)
                .get()
                .uri("/actuator/health/" + probe)
                .retrieve()
                .bodyToMono(String.class)
                .block(Duration.ofSeconds(10)));
            assertThat(group.toString()).as(probe).doesNotContain("ollama").doesNotContain("keepwarm");
        }
    }

    private static double delta(Scrape before, Scrape after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }

    private void reconcileAndAwait(java.util.function.Predicate<JsonNode> condition) {
        WebClient.create("http://localhost:" + managementPort)
            .post()
            .uri("/actuator/keepwarm")
            .retrieve()
            .bodyToMono(String.class)
            .block(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> condition.test(report()));
    }

    private JsonNode report() {
        return JSON.readTree(WebClient.create("http://localhost:" + managementPort)
            .get()
            .uri("/actuator/keepwarm")
            .retrieve()
            .bodyToMono(String.class)
            .block(Duration.ofSeconds(10)));
    }

    private static boolean residentOf(JsonNode report, String model) {
        JsonNode found = model(report, model);
        return found != null && found.get("resident").asBoolean();
    }

    private static JsonNode model(JsonNode report, String model) {
        for (JsonNode m : report.get("models")) {
            if (m.get("model").asString().equals(model)) {
                return m;
            }
        }
        return null;
    }

    private JsonNode generate(String model) {
        return JSON.readTree(client().post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"" + model + "\",\"prompt\":\"hi\",\"stream\":false}")
            .exchangeToMono(r -> r.bodyToMono(String.class))
            .block(Duration.ofSeconds(10)));
    }

    private WebClient client() {
        return WebClient.create("http://localhost:" + port);
    }

    /**
     * A scrape that counts {@code requests} more requests of the model than
     * {@code before}: the proxy records a request when its last byte has been flushed,
     * which a client may see a moment before that.
     */
    private Scrape scrapeOnceRecorded(Scrape before, String model, int requests) {
        return await().atMost(Duration.ofSeconds(5))
            .until(this::scrape,
                    after -> delta(before, after, "keepwarm_request_seconds_count", "model", model) >= requests);
    }

    private Scrape scrape() {
        return new Scrape(WebClient.create("http://localhost:" + managementPort)
            .get()
            .uri("/actuator/prometheus")
            .retrieve()
            .bodyToMono(String.class)
            .block(Duration.ofSeconds(10)));
    }

}
