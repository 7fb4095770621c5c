package dev.keepwarm.packaging;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.keepwarm.fake.FakeOllama;

import dev.keepwarm.policy.PolicyProperties;

import org.springframework.http.MediaType;

import static dev.keepwarm.packaging.ProjectFiles.at;
import static dev.keepwarm.packaging.ProjectFiles.list;
import static dev.keepwarm.packaging.ProjectFiles.map;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml and the files it mounts: Ollama, the model pull, keepwarm,
 * Prometheus, Grafana.
 */
class ComposeTest {

    private static final Map<String, Object> COMPOSE = ProjectFiles.yaml("docker-compose.yml");

    private static Map<String, Object> service(String name) {
        return map(at(COMPOSE, "services", name));
    }

    @Test
    void hasTheFiveServices() {
        assertThat(map(COMPOSE.get("services"))).containsOnlyKeys("ollama", "model-pull", "keepwarm", "prometheus",
                "grafana");
    }

    /**
     * Keys that only one of docker-compose 1.29 and Compose v2 reads would break the
     * other.
     */
    @Test
    void avoidsKeysThatEitherComposeRejects() {
        assertThat(COMPOSE).doesNotContainKey("name");
        for (Object service : map(COMPOSE.get("services")).values()) {
            Map<String, Object> definition = map(service);
            if (definition.get("healthcheck") != null) {
                assertThat(map(definition.get("healthcheck"))).doesNotContainKey("start_interval");
            }
            if (definition.get("depends_on") instanceof Map<?, ?> dependencies) {
                dependencies.values().forEach(condition -> assertThat(map(condition)).doesNotContainKey("restart"));
            }
        }
    }

    @Test
    void keepwarmStartsOnceOllamaAnswersAndTheModelIsPulled() {
        Map<String, Object> keepwarm = service("keepwarm");

        assertThat(at(keepwarm, "depends_on", "ollama")).isEqualTo(Map.of("condition", "service_healthy"));
        assertThat(at(keepwarm, "depends_on", "model-pull"))
            .isEqualTo(Map.of("condition", "service_completed_successfully"));
        assertThat(at(service("model-pull"), "depends_on", "ollama")).isEqualTo(Map.of("condition", "service_healthy"));
        assertThat(list(at(service("ollama"), "healthcheck", "test"))).contains("ollama", "list");
    }

    @Test
    void keepwarmIsBuiltHerePublishedOn8080AndConfiguredFromDeployCompose() {
        Map<String, Object> keepwarm = service("keepwarm");

        assertThat(keepwarm.get("build")).isEqualTo(".");
        assertThat(at(keepwarm, "environment", "KEEPWARM_UPSTREAM_URL")).isEqualTo("http://ollama:11434");
        assertThat(list(keepwarm.get("ports"))).contains("8080:8080");
        assertThat(list(keepwarm.get("volumes")))
            .contains("./deploy/compose/application.yml:/config/application.yml:ro");
    }

    /**
     * The keepwarm service as Compose starts it: the image's ENV, the service's
     * environment, its mounted application.yml (copied under a temporary directory at its
     * mount path). The test's own: random ports, and the upstream URL pointing at the
     * fake Ollama instead of the service name Compose's network resolves.
     */
    @Test
    void keepwarmStartsWithTheServicesEnvironmentAndFileAndProxies(@TempDir Path dir) {
        try (FakeOllama ollama = FakeOllama.start().withModel("llama3.2:1b")) {
            ContainerRun container = ContainerRun.ofCompose(service("keepwarm"), dir);
            assertThat(container.environment()).containsEntry("KEEPWARM_UPSTREAM_URL", "http://ollama:11434");

            try (RunningKeepwarm keepwarm = RunningKeepwarm.start(container.environment(),
                    RunningKeepwarm.randomPorts("--keepwarm.upstream.url=" + ollama.url()))) {
                keepwarm.proxy()
                    .post()
                    .uri("/api/generate")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\",\"stream\":false}")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    // the rule of the mounted deploy/compose/application.yml
                    .expectHeader()
                    .valueEquals("X-Keepwarm-Keep-Alive", "-1; rule=llama3.2:1b; action=override")
                    .expectBody()
                    .jsonPath("$.done")
                    .isEqualTo(true);
                keepwarm.management().get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
            }
        }
    }

    @Test
    void ollamaKeepsModelsInANamedVolumeAndModelPullFetchesTheExampleModel() {
        assertThat(list(service("ollama").get("volumes"))).contains("ollama-models:/root/.ollama");
        assertThat(map(COMPOSE.get("volumes"))).containsKey("ollama-models");
        assertThat(ProjectFiles.read("docker-compose.yml")).contains("#         - driver: nvidia",
                "#           capabilities: [gpu]");

        Map<String, Object> pull = service("model-pull");
        assertThat(pull.get("image")).isEqualTo(service("ollama").get("image"));
        assertThat(at(pull, "environment", "OLLAMA_HOST")).isEqualTo("ollama:11434");
        assertThat(pull.get("entrypoint")).isEqualTo(List.of("/bin/sh", "-c"));
        assertThat(list(pull.get("command"))).singleElement().asString().startsWith("ollama pull llama3.2:1b ");
        assertThat(pull.get("restart")).isEqualTo("no");
    }

    @Test
    void examplePolicyBindsAndPinsTheModelComposePulls() {
        PolicyProperties policies = KeepwarmConfig.of(ProjectFiles.read("deploy/compose/application.yml")).policies();

        KeepwarmConfig.assertExamplePolicies(policies);
    }

    @Test
    void prometheusScrapesTheActuatorAndLoadsTheAlerts() {
        Map<String, Object> prometheus = service("prometheus");
        assertThat(list(prometheus.get("volumes"))).contains(
                "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
                "./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro");
        assertThat(list(prometheus.get("ports"))).contains("9090:9090");

        Map<String, Object> config = ProjectFiles.yaml("deploy/prometheus/prometheus.yml");
        assertThat(list(config.get("rule_files"))).containsExactly("alerts.yml");
        Map<String, Object> job = map(at(config, "scrape_configs", 0));
        assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
        assertThat(at(job, "static_configs", 0, "targets")).isEqualTo(List.of("keepwarm:8081"));
    }

    @Test
    void grafanaIsProvisionedAndOpenToAnonymousViewers() {
        Map<String, Object> grafana = service("grafana");
        assertThat(map(grafana.get("environment"))).containsEntry("GF_AUTH_ANONYMOUS_ENABLED", "true")
            .containsEntry("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer");
        assertThat(list(grafana.get("ports"))).contains("3000:3000");
        assertThat(list(grafana.get("volumes"))).contains("./deploy/grafana/provisioning:/etc/grafana/provisioning:ro",
                "./deploy/grafana/keepwarm-dashboard.json:/etc/grafana/dashboards/keepwarm-dashboard.json:ro");

        Map<String, Object> datasource = map(
                at(ProjectFiles.yaml("deploy/grafana/provisioning/datasources/prometheus.yml"), "datasources", 0));
        assertThat(datasource).containsEntry("type", "prometheus").containsEntry("url", "http://prometheus:9090");

        Map<String, Object> provider = map(
                at(ProjectFiles.yaml("deploy/grafana/provisioning/dashboards/keepwarm.yml"), "providers", 0));
        assertThat(provider).containsEntry("type", "file");
        assertThat(at(provider, "options", "path")).isEqualTo("/etc/grafana/dashboards");
        assertThat(ProjectFiles.path("deploy/grafana/keepwarm-dashboard.json")).exists();
    }

    @Test
    void everyBindMountExists() {
        for (Object service : map(COMPOSE.get("services")).values()) {
            Object volumes = map(service).get("volumes");
            for (Object volume : volumes == null ? List.of() : list(volumes)) {
                String source = volume.toString().split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(ProjectFiles.path(source)).as(volume.toString()).exists();
                }
            }
        }
    }

    @Test
    void dockerComposeAcceptsTheFile() {
        Path dockerCompose = Tools.require("docker-compose", "docker-compose");

        Tools.Run run = Tools.run(ProjectFiles.ROOT,
                List.of(dockerCompose.toString(), "-f", "docker-compose.yml", "config", "-q"));

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).as("warnings").isBlank();
    }

}
