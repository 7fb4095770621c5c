package dev.keepwarm.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.support.ProxyTestBase;
import dev.keepwarm.support.Scrape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * A fleet's scrape (issue 13, "Observability"): the {@code upstream} tag, which hosts
 * answer, why requests went where they went, and placement warm against wanted; README's
 * "Fleet metrics" lists exactly the fleet's own metrics.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.interval=1h", "keepwarm.policy.models[0].match=llama3.2:1b",
                "keepwarm.policy.models[0].keep-alive=forever", "keepwarm.policy.models[0].warm=true",
                "keepwarm.policy.models[0].replicas=2" })
@DirtiesContext
class FleetMetricsTest {

    private static final Pattern README_METRIC = Pattern.compile("`(keepwarm_[a-z0-9_]+)`");

    /** The metrics only a fleet has (the dashboard's fleet row queries them). */
    static final Set<String> FLEET_ONLY = Set.of("keepwarm_routed_total", "keepwarm_placement_warm",
            "keepwarm_placement_wanted");

    static final List<FakeOllama> HOSTS = List.of(host(), host(), host());

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    private static FakeOllama host() {
        return FakeOllama.start().withModel("llama3.2:1b").withModel("mistral");
    }

    @DynamicPropertySource
    static void fleet(DynamicPropertyRegistry registry) {
        for (int i = 0; i < HOSTS.size(); i++) {
            String url = HOSTS.get(i).url().toString();
            registry.add("keepwarm.upstream.hosts[" + i + "].name", () -> "gpu" + HOSTS.indexOf(hostAt(url)));
            registry.add("keepwarm.upstream.hosts[" + i + "].url", () -> url);
        }
        registry.add("management.server.port", () -> "0");
    }

    private static FakeOllama hostAt(String url) {
        return HOSTS.stream().filter(fake -> fake.url().toString().equals(url)).findFirst().orElseThrow();
    }

    @AfterAll
    static void stopHosts() {
        HOSTS.forEach(FakeOllama::close);
    }

    @BeforeEach
    void placed() {
        // the first pass has read every host
        await().atMost(Duration.ofSeconds(15))
            .until(() -> scrape().find("keepwarm_placement_wanted", "model", "llama3.2:1b")
                .stream()
                .anyMatch(sample -> sample.value() == 2));
    }

    @Test
    void theScrapeTellsWhereModelsAreAndWhyRequestsWentThere() {
        await().atMost(Duration.ofSeconds(15))
            .until(() -> HOSTS.stream().filter(fake -> fake.loadCount("llama3.2:1b") > 0).count() == 2);
        await().atMost(Duration.ofSeconds(15))
            .until(() -> scrape().find("keepwarm_placement_warm", "model", "llama3.2:1b")
                .stream()
                .anyMatch(sample -> sample.value() == 2));
        generate("llama3.2:1b");
        generate("mistral");

        Scrape scrape = scrape();
        assertThat(scrape.value("keepwarm_placement_wanted", "model", "llama3.2:1b")).isEqualTo(2);
        for (String host : List.of("gpu0", "gpu1", "gpu2")) {
            assertThat(scrape.value("keepwarm_upstream_up", "upstream", host)).isEqualTo(1);
        }
        assertThat(scrape.find("keepwarm_routed_total", "reason", "resident")).hasSize(1);
        assertThat(scrape.find("keepwarm_routed_total", "reason", "hashed")).hasSize(1);
        assertThat(scrape.find("keepwarm_request_seconds_count", "model", "mistral:latest"))
            .allSatisfy(sample -> assertThat(sample.labels()).containsKey("upstream"));
        assertThat(scrape.find("keepwarm_model_resident", "model", "llama3.2:1b")).hasSize(3)
            .extracting(sample -> sample.labels().get("upstream"))
            .containsExactlyInAnyOrder("gpu0", "gpu1", "gpu2");
    }

    @Test
    void readmeListsTheFleetsOwnMetrics() throws IOException {
        generate("mistral");
        await().atMost(Duration.ofSeconds(10)).until(() -> !scrape().find("keepwarm_routed_total").isEmpty());
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf(ScrapeContentsTest.FLEET_METRICS);
        String section = readme.substring(start, readme.indexOf("\n## ", start));
        Set<String> listed = listed(section);
        Set<String> everywhere = listed(readme);
        Set<String> scraped = new TreeSet<>(ScrapeContentsTest.families(scrape().names()));
        scraped.removeIf(name -> !name.startsWith("keepwarm_"));

        assertThat(scraped).as("fleet metrics README lists, not in a fleet's scrape").containsAll(listed);
        assertThat(everywhere).as("in a fleet's scrape, not in README").containsAll(scraped);
    }

    @Test
    void everyMetricTheDashboardQueriesExistsInAFleetsScrape() throws IOException {
        generate("mistral");
        await().atMost(Duration.ofSeconds(10)).until(() -> !scrape().find("keepwarm_routed_total").isEmpty());
        Set<String> queried = new TreeSet<>();
        Matcher m = Pattern.compile("\\bkeepwarm_[a-z_]+")
            .matcher(Files.readString(Path.of("deploy/grafana/keepwarm-dashboard.json")));
        while (m.find()) {
            queried.add(m.group());
        }

        assertThat(queried).containsAll(FLEET_ONLY);
        assertThat(scrape().names()).containsAll(queried);
    }

    private static Set<String> listed(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = README_METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private void generate(String model) {
        ProxyTestBase.webTestClient("http://localhost:" + port)
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"" + model + "\",\"prompt\":\"hi\",\"stream\":false}")
            .exchange()
            .expectStatus()
            .isOk();
    }

    private Scrape scrape() {
        return Scrape.of(managementPort);
    }

}
