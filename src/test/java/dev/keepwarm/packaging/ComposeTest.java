package dev.keepwarm.packaging;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.LoadedModel;
import dev.keepwarm.ollama.UpstreamProperties;

import dev.keepwarm.policy.PolicyProperties;
import dev.keepwarm.policy.Replicas;

import org.springframework.http.MediaType;

import static dev.keepwarm.packaging.ProjectFiles.at;
import static dev.keepwarm.packaging.ProjectFiles.list;
import static dev.keepwarm.packaging.ProjectFiles.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * docker-compose.yml and the files it mounts: Ollama, the model pull, keepwarm,
 * Prometheus, Grafana; and deploy/compose/fleet: one Ollama per GPU behind one keepwarm.
 */
class ComposeTest {

    private static final Map<String, Object> COMPOSE = ProjectFiles.yaml("docker-compose.yml");

    private static final String FLEET_DIR = "deploy/compose/fleet";

    private static final Map<String, Object> FLEET = ProjectFiles.yaml(FLEET_DIR + "/docker-compose.yml");

    private static final List<String> FLEET_OLLAMAS = List.of("ollama-gpu0", "ollama-gpu1");

    private static Map<String, Object> service(String name) {
        return map(at(COMPOSE, "services", name));
    }

    private static Map<String, Object> fleetService(String name) {
        return map(at(FLEET, "services", name));
    }

    private static UpstreamProperties fleetUpstream() {
        return KeepwarmConfig.of(ProjectFiles.read(FLEET_DIR + "/application.yml")).upstream();
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
        for (Map<String, Object> compose : List.of(COMPOSE, FLEET)) {
            assertThat(compose).doesNotContainKey("name");
            for (Object service : map(compose.get("services")).values()) {
                Map<String, Object> definition = map(service);
                if (definition.get("healthcheck") != null) {
                    assertThat(map(definition.get("healthcheck"))).doesNotContainKey("start_interval");
                }
                if (definition.get("depends_on") instanceof Map<?, ?> dependencies) {
                    dependencies.values().forEach(condition -> assertThat(map(condition)).doesNotContainKey("restart"));
                }
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
        Map<String, Map<String, Object>> files = Map.of("", COMPOSE, FLEET_DIR, FLEET);
        files.forEach((dir, compose) -> {
            for (Object service : map(compose.get("services")).values()) {
                Object volumes = map(service).get("volumes");
                for (Object volume : volumes == null ? List.of() : list(volumes)) {
                    String source = volume.toString().split(":")[0];
                    if (source.startsWith("./") || source.startsWith("../")) {
                        assertThat(ProjectFiles.path(dir).resolve(source).normalize()).as(volume.toString()).exists();
                    }
                }
            }
        });
    }

    @Test
    void fleetRunsOneOllamaPerGpuEachWithItsOwnModelsBehindOneKeepwarm() {
        assertThat(map(FLEET.get("services"))).containsOnlyKeys("ollama-gpu0", "ollama-gpu1", "model-pull", "keepwarm",
                "prometheus", "grafana");
        for (int gpu = 0; gpu < FLEET_OLLAMAS.size(); gpu++) {
            Map<String, Object> ollama = fleetService(FLEET_OLLAMAS.get(gpu));
            assertThat(at(ollama, "deploy", "resources", "reservations", "devices")).isEqualTo(List.of(Map.of("driver",
                    "nvidia", "device_ids", List.of(String.valueOf(gpu)), "capabilities", List.of("gpu"))));
            assertThat(list(ollama.get("volumes"))).containsExactly(FLEET_OLLAMAS.get(gpu) + "-models:/root/.ollama");
            assertThat(map(FLEET.get("volumes"))).containsKey(FLEET_OLLAMAS.get(gpu) + "-models");
            assertThat(ollama).doesNotContainKey("ports");
            assertThat(list(at(ollama, "healthcheck", "test"))).contains("ollama", "list");
        }
        Map<String, Object> keepwarm = fleetService("keepwarm");
        assertThat(keepwarm.get("build")).isEqualTo("../../..");
        assertThat(keepwarm.get("environment")).isNull();
        assertThat(list(keepwarm.get("volumes"))).containsExactly("./application.yml:/config/application.yml:ro");
        assertThat(list(keepwarm.get("ports"))).contains("8080:8080", "127.0.0.1:8081:8081");
        for (String ollama : FLEET_OLLAMAS) {
            assertThat(at(keepwarm, "depends_on", ollama)).isEqualTo(Map.of("condition", "service_healthy"));
            assertThat(at(fleetService("model-pull"), "depends_on", ollama))
                .isEqualTo(Map.of("condition", "service_healthy"));
        }
        assertThat(at(keepwarm, "depends_on", "model-pull"))
            .isEqualTo(Map.of("condition", "service_completed_successfully"));
    }

    /**
     * Every Ollama service is one host of keepwarm.upstream.hosts, at its service name,
     * with the max-loaded its OLLAMA_MAX_LOADED_MODELS says; model-pull pulls the pinned
     * model on each.
     */
    @Test
    void fleetHostsAreTheOllamaServicesAndModelPullPullsThePinnedModelOnEach() {
        UpstreamProperties upstream = fleetUpstream();

        assertThat(upstream.fleet()).isTrue();
        assertThat(upstream.discovery()).isNull();
        assertThat(upstream.hosts()).extracting(UpstreamProperties.Host::name).containsExactly("gpu0", "gpu1");
        for (int i = 0; i < FLEET_OLLAMAS.size(); i++) {
            UpstreamProperties.Host host = upstream.hosts().get(i);
            assertThat(host.url()).hasToString("http://" + FLEET_OLLAMAS.get(i) + ":11434");
            assertThat(String.valueOf(host.maxLoaded()))
                .isEqualTo(at(fleetService(FLEET_OLLAMAS.get(i)), "environment", "OLLAMA_MAX_LOADED_MODELS"));
        }
        PolicyProperties policies = KeepwarmConfig.of(ProjectFiles.read(FLEET_DIR + "/application.yml")).policies();
        assertThat(policies.models()).singleElement().satisfies(rule -> {
            assertThat(rule.match()).isEqualTo("llama3.2:1b");
            assertThat(rule.warm()).isTrue();
            assertThat(rule.replicas()).isEqualTo(Replicas.ALL);
        });
        String pull = String.valueOf(list(fleetService("model-pull").get("command")).get(0));
        assertThat(pull).contains("for host in " + String.join(" ", FLEET_OLLAMAS) + ";",
                "OLLAMA_HOST=$$host:11434 ollama pull llama3.2:1b");
        assertThat(fleetService("model-pull").get("image")).isEqualTo(fleetService("ollama-gpu0").get("image"));
    }

    /**
     * The fleet's keepwarm as Compose starts it: the image's ENV and the mounted
     * application.yml, whose host URLs (the Ollama services, resolved by Compose's
     * network) point at one fake Ollama each; names, limits and rules are the file's.
     */
    @Test
    void fleetKeepwarmStartsWithTheServicesFileAndRoutesToAGpusOllama(@TempDir Path dir) {
        try (FakeOllama gpu0 = FakeOllama.start().withModel("llama3.2:1b");
                FakeOllama gpu1 = FakeOllama.start().withModel("llama3.2:1b")) {
            ContainerRun container = ContainerRun.ofCompose(fleetService("keepwarm"), FLEET_DIR,
                    file -> file.replace("http://ollama-gpu0:11434", gpu0.url().toString())
                        .replace("http://ollama-gpu1:11434", gpu1.url().toString()),
                    dir);

            try (RunningKeepwarm keepwarm = RunningKeepwarm.start(container.environment(),
                    RunningKeepwarm.randomPorts())) {
                String host = keepwarm.proxy()
                    .post()
                    .uri("/api/generate")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\",\"stream\":false}")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectHeader()
                    .valueEquals("X-Keepwarm-Keep-Alive", "-1; rule=llama3.2:1b; action=override")
                    .returnResult(String.class)
                    .getResponseHeaders()
                    .getFirst("X-Keepwarm-Upstream");
                assertThat(host).isIn("gpu0", "gpu1");
                keepwarm.management()
                    .get()
                    .uri("/actuator/keepwarm")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .jsonPath("$.hosts[*].name")
                    .value(names -> assertThat(names).asInstanceOf(InstanceOfAssertFactories.LIST)
                        .containsExactlyInAnyOrder("gpu0", "gpu1"));
                // replicas: all, so the warmer loads the pinned model on both GPUs'
                // Ollamas
                await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(List.of(gpu0, gpu1)).allSatisfy(
                            fake -> assertThat(fake.loaded()).extracting(LoadedModel::name).contains("llama3.2:1b")));
            }
        }
    }

    /** deploy/compose/fleet/../../ is deploy/, the main stack's ./deploy/. */
    @Test
    void fleetMonitoringUsesTheSameFilesAsTheMainStack() {
        for (String name : List.of("prometheus", "grafana")) {
            List<String> main = list(service(name).get("volumes")).stream()
                .map(volume -> volume.toString().replaceFirst("^\\./deploy/", ""))
                .toList();
            List<String> fleet = list(fleetService(name).get("volumes")).stream()
                .map(volume -> volume.toString().replaceFirst("^\\.\\./\\.\\./", ""))
                .toList();
            assertThat(fleet).as(name).containsExactlyElementsOf(main);
        }
    }

    /**
     * The per-host row of the dashboard both stacks mount: each host's up, its routed
     * requests by reason, and the placement's warm copies against those wanted, filtered
     * by the {@code upstream} variable of the fleet's host names.
     */
    @Test
    void dashboardHasAPerHostRowOfTheFleet() {
        Map<String, Object> dashboard = ProjectFiles.yaml("deploy/grafana/keepwarm-dashboard.json");
        List<Map<String, Object>> panels = list(dashboard.get("panels")).stream().map(ProjectFiles::map).toList();
        int row = panels.stream().map(panel -> panel.get("type")).toList().indexOf("row");
        assertThat(row).as("a row panel").isNotNegative();
        assertThat(panels.get(row).get("collapsed")).isEqualTo(false);
        List<String> below = panels.subList(row + 1, panels.size())
            .stream()
            .flatMap(panel -> list(panel.get("targets")).stream())
            .map(target -> (String) map(target).get("expr"))
            .toList();

        assertThat(below).contains("max by (upstream) (keepwarm_upstream_up{upstream=~\"$upstream\"})",
                "sum by (upstream, reason) (rate(keepwarm_routed_total{upstream=~\"$upstream\"}[5m]))",
                "max by (model) (keepwarm_placement_warm)", "max by (model) (keepwarm_placement_wanted)");
        Map<String, Object> variable = list(at(dashboard, "templating", "list")).stream()
            .map(ProjectFiles::map)
            .filter(candidate -> "upstream".equals(candidate.get("name")))
            .findFirst()
            .orElseThrow();
        assertThat(at(variable, "query", "query")).isEqualTo("label_values(keepwarm_upstream_up, upstream)");
        // with one Ollama the series have no upstream label: "All" must match that too
        assertThat(variable).containsEntry("includeAll", true).containsEntry("allValue", ".*");
    }

    @Test
    void dockerComposeAcceptsTheFleetFile() {
        Path dockerCompose = Tools.require("docker-compose", "docker-compose");

        Tools.Run run = Tools.run(ProjectFiles.ROOT,
                List.of(dockerCompose.toString(), "-f", FLEET_DIR + "/docker-compose.yml", "config", "-q"));

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).as("warnings").isBlank();
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
