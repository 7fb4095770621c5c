package dev.keepwarm.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.ModelSpec;
import dev.keepwarm.support.Scrape;
import dev.keepwarm.support.TestClock;
import dev.keepwarm.support.WatchedPolicyFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

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
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * What the scrape holds as the policies change (a schedule window ends, a reload drops a
 * rule), and that README's metric list is exactly what a scrape of a busy keepwarm
 * (proxy, bulkhead, warmer, API keys) shows.
 */
// interval 1h: the start-up preload, and a reconcile after each reload
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.interval=1h", "keepwarm.policy-file-check-interval=100ms",
                "keepwarm.proxy.max-concurrent=8", "keepwarm.metrics.cold-start-threshold=100ms" })
@Import(TestClock.class)
@DirtiesContext
class ScrapeContentsTest {

    private static final String KEY = "kw-scrape-test-key";

    private static final FakeOllama OLLAMA = FakeOllama.start(TestClock.CLOCK)
        .withModel("office")
        .withModel("steady")
        .withModel("rhythm")
        .withModel(ModelSpec.of("cold").withLoadTime(Duration.ofMillis(150)));

    /**
     * "office" warm in a window from an hour ago to an hour ahead; fixed once, so
     * rewrites keep the same window.
     */
    private static final String OFFICE = officeRule();

    private static final String STEADY = """
                  - match: steady
                    keep-alive: forever
                    warm: true
            """;

    /** A model in adaptive mode: its meters appear once it was used. */
    private static final String RHYTHM = """
                  - match: rhythm
                    keep-alive: 10m
                    mode: adaptive
            """;

    private static final WatchedPolicyFile POLICY_FILE = WatchedPolicyFile.create(OFFICE + STEADY + RHYTHM);

    private static final Pattern README_METRIC = Pattern
        .compile("`((?:keepwarm|resilience4j|reactor_netty)_[a-z0-9_]+)`");

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.upstream.url", () -> OLLAMA.url().toString());
        registry.add("management.server.port", () -> "0");
        registry.add("keepwarm.policy-file", () -> POLICY_FILE.path().toString());
        // a list binds from one source only
        registry.add("keepwarm.security.api-keys[0].name", () -> "ci");
        registry.add("keepwarm.security.api-keys[0].key-sha256", () -> sha256(KEY));
    }

    @AfterAll
    static void stopOllama() {
        OLLAMA.close();
    }

    @Test
    void wantedWarmReadsZeroOutsideTheScheduleWindowWhileTheGaugesStay() {
        await().atMost(Duration.ofSeconds(10))
            .until(() -> scrape().find("keepwarm_model_warm_wanted", "model", "office:latest").size() == 1);
        assertThat(scrape().value("keepwarm_model_warm_wanted", "model", "office:latest")).isEqualTo(1);

        TestClock.CLOCK.advance(Duration.ofHours(3)); // past the window's end

        Scrape outside = scrape();
        assertThat(outside.value("keepwarm_model_warm_wanted", "model", "office:latest")).isZero();
        assertThat(outside.find("keepwarm_model_resident", "model", "office:latest")).hasSize(1);
    }

    @Test
    void reloadThatDropsAWarmRuleRemovesTheModelsGaugesAndOneThatBringsItBackRestoresThem() {
        await().atMost(Duration.ofSeconds(10)).until(() -> hasGauges(scrape(), "steady:latest"));

        POLICY_FILE.replace(OFFICE + RHYTHM);
        await().atMost(Duration.ofSeconds(10)).until(() -> !hasAnyGauge(scrape(), "steady:latest"));
        assertThat(hasGauges(scrape(), "office:latest")).isTrue();

        POLICY_FILE.replace(OFFICE + STEADY + RHYTHM);
        await().atMost(Duration.ofSeconds(10)).until(() -> hasGauges(scrape(), "steady:latest"));
        assertThat(scrape().value("keepwarm_model_warm_wanted", "model", "steady:latest")).isEqualTo(1);
    }

    @Test
    void latencyTimersPublishBucketsFromTenMillisecondsToTenMinutes() {
        OLLAMA.tokens(3, Duration.ZERO);
        generate("steady");
        Scrape scrape = scrape();
        for (String timer : List.of("keepwarm_request_seconds", "keepwarm_time_to_first_chunk_seconds")) {
            List<Scrape.Sample> buckets = scrape.find(timer + "_bucket", "model", "steady:latest");
            assertThat(buckets).as(timer).isNotEmpty();
            buckets.stream().collect(Collectors.groupingBy(sample -> {
                Map<String, String> series = new TreeMap<>(sample.labels());
                series.remove("le");
                return series;
            })).forEach((series, samples) -> {
                assertThat(samples).as("%s %s", timer, series).hasSizeBetween(2, 80);
                assertThat(samples).as("%s %s", timer, series)
                    .filteredOn(s -> !s.labels().get("le").equals("+Inf"))
                    .allSatisfy(s -> assertThat(Double.parseDouble(s.labels().get("le"))).isBetween(0.01, 600.0));
                assertThat(samples).extracting(s -> s.labels().get("le")).contains("+Inf");
            });
        }
    }

    @Test
    void readmeListsExactlyTheMetricsOfTheScrape() throws IOException {
        OLLAMA.tokens(3, Duration.ZERO);
        generate("steady");
        generate("cold"); // a cold start
        generate("unknown-model");
        generate("rhythm"); // learned by adaptive mode
        await().atMost(Duration.ofSeconds(10))
            .until(() -> !scrape().find("keepwarm_adaptive_keep_alive_seconds", "model", "rhythm:latest").isEmpty());
        WebClient.create("http://localhost:" + port)
            .get()
            .uri("/api/tags") // refused: no key
            .exchangeToMono(r -> r.releaseBody())
            .block(Duration.ofSeconds(10));
        WebClient.create("http://localhost:" + managementPort)
            .post()
            .uri("/actuator/keepwarm/steady") // a ping
            .retrieve()
            .bodyToMono(String.class)
            .block(Duration.ofSeconds(10));

        Set<String> scraped = families(scrape().names());
        Set<String> listed = new TreeSet<>();
        // a fleet's own meters are FleetMetricsTest's
        Matcher m = README_METRIC.matcher(withoutFleetMetrics(Files.readString(Path.of("README.md"))));
        while (m.find()) {
            listed.add(m.group(1));
        }
        // named beside the fleet's dashboard row too
        listed.removeAll(FleetMetricsTest.FLEET_ONLY);

        assertThat(scraped).as("in README, not in the scrape").containsAll(listed);
        assertThat(listed).as("in the scrape, not in README").containsAll(scraped);
        assertThat(scraped).anyMatch(name -> name.startsWith("resilience4j_bulkhead_"))
            .anyMatch(name -> name.startsWith("reactor_netty_connection_provider_"));
    }

    /** README without its "Fleet metrics" section. */
    static String withoutFleetMetrics(String readme) {
        int start = readme.indexOf(FLEET_METRICS);
        int end = readme.indexOf("\n## ", start);
        return readme.substring(0, start) + readme.substring(end);
    }

    /** The heading of README's section on a fleet's meters. */
    static final String FLEET_METRICS = "### Fleet metrics";

    /**
     * keepwarm's, Resilience4j's and Reactor Netty's metric families: histogram and
     * summary suffixes folded.
     */
    static Set<String> families(List<String> names) {
        Set<String> families = new TreeSet<>();
        for (String name : names) {
            if (!name.matches("(keepwarm|resilience4j|reactor_netty)_.*")) {
                continue;
            }
            String family = name;
            for (String suffix : List.of("_bucket", "_count", "_sum", "_max")) {
                String base = name.substring(0, Math.max(0, name.length() - suffix.length()));
                if (name.endsWith(suffix) && names.contains(base + "_count")) {
                    family = base;
                }
            }
            families.add(family);
        }
        return families;
    }

    private static boolean hasGauges(Scrape scrape, String model) {
        return List
            .of("keepwarm_model_warm_wanted", "keepwarm_model_resident", "keepwarm_model_expires_in_seconds",
                    "keepwarm_model_thrashing")
            .stream()
            .allMatch(name -> scrape.find(name, "model", model).size() == 1);
    }

    private static boolean hasAnyGauge(Scrape scrape, String model) {
        return List
            .of("keepwarm_model_warm_wanted", "keepwarm_model_resident", "keepwarm_model_expires_in_seconds",
                    "keepwarm_model_thrashing")
            .stream()
            .anyMatch(name -> !scrape.find(name, "model", model).isEmpty());
    }

    /**
     * Generates and waits until the request is in the scrape (it is recorded once its
     * last byte is flushed).
     */
    private void generate(String model) {
        double recorded = scrape().value("keepwarm_request_seconds_count");
        WebClient.create("http://localhost:" + port)
            .post()
            .uri("/api/generate")
            .header("Authorization", "Bearer " + KEY)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"" + model + "\",\"prompt\":\"hi\",\"stream\":false}")
            .exchangeToMono(r -> r.bodyToMono(String.class))
            .block(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> scrape().value("keepwarm_request_seconds_count") > recorded);
    }

    private Scrape scrape() {
        return new Scrape(WebClient.create("http://localhost:" + managementPort)
            .get()
            .uri("/actuator/prometheus")
            .retrieve()
            .bodyToMono(String.class)
            .block(Duration.ofSeconds(10)));
    }

    private static String officeRule() {
        return """
                keepwarm:
                  policy:
                    default:
                      keep-alive: 10m
                    models:
                      - match: office
                        keep-alive: forever
                        warm: true
                        schedule:
                          zone: UTC
                          windows: ["%s"]
                          off-hours-keep-alive: 2m
                      - match: cold
                        keep-alive: 5m
                """.formatted(WatchedPolicyFile.windowAround(TestClock.CLOCK.instant()));
    }

    private static String sha256(String key) {
        try {
            return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
