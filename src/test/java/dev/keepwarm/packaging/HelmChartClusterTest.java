package dev.keepwarm.packaging;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import com.marcnuri.helm.TemplateCommand;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.ollama.UpstreamProperties;

import static dev.keepwarm.packaging.HelmRender.render;
import static dev.keepwarm.packaging.HelmRender.renderDefaults;
import static dev.keepwarm.packaging.HelmRender.renderTestHooks;
import static dev.keepwarm.packaging.ProjectFiles.at;
import static dev.keepwarm.packaging.ProjectFiles.list;
import static dev.keepwarm.packaging.ProjectFiles.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chart in a cluster: the helm test pod, stopping a pod, spreading pods, egress, and
 * the chart's metadata.
 */
class HelmChartClusterTest {

    /** The Service's URLs as the test pod sees them (release kw). */
    private static final String MANAGEMENT_SERVICE = "http://kw-keepwarm:8081";

    private static final String PROXY_SERVICE = "http://kw-keepwarm:8080";

    /** Held by the client; the values carry its hash. */
    private static final String CLIENT_KEY = "kw-cluster-test-4e1b";

    @TempDir
    Path dir;

    @Test
    void testPodIsAHelmTestHookAsLockedDownAsKeepwarmsPod() {
        Manifests manifests = renderDefaults();
        Map<String, Object> pod = testPod(template -> template);

        assertThat(pod.get("kind")).isEqualTo("Pod");
        assertThat(map(at(pod, "metadata", "annotations"))).containsEntry(HelmRender.HOOK_PREFIX, "test")
            .containsEntry(HelmRender.HOOK_PREFIX + "-delete-policy", "before-hook-creation,hook-succeeded");
        assertThat(at(pod, "spec", "restartPolicy")).isEqualTo("Never");
        assertThat(at(pod, "spec", "automountServiceAccountToken")).isEqualTo(false);
        assertThat(at(pod, "spec", "securityContext")).isEqualTo(manifests.podSpec().get("securityContext"));
        assertThat(at(pod, "spec", "containers", 0, "securityContext"))
            .isEqualTo(manifests.container().get("securityContext"));
        assertThat(at(pod, "spec", "containers", 0, "image")).isEqualTo("curlimages/curl:8.11.1");
        assertThat(at(testPod(template -> template.set("tests.image.repository", "registry.example/curl")
            .set("tests.image.tag", "8.12.0")), "spec", "containers", 0, "image"))
            .isEqualTo("registry.example/curl:8.12.0");
        assertThat(list(at(pod, "spec", "containers", 0, "command"))).startsWith("/bin/sh", "-ec");
        assertThat((String) at(pod, "spec", "containers", 0, "command", 2))
            .contains("$MANAGEMENT_URL/actuator/health/readiness", "$PROXY_URL/api/version");
        // the Service's names and ports
        assertThat(list(at(pod, "spec", "containers", 0, "env"))).contains(
                Map.of("name", "MANAGEMENT_URL", "value", MANAGEMENT_SERVICE),
                Map.of("name", "PROXY_URL", "value", PROXY_SERVICE));
        assertThat(at(manifests.only("Service"), "metadata", "name")).isEqualTo("kw-keepwarm");
    }

    /**
     * The test pod must not pass for a keepwarm pod (Service endpoints, NetworkPolicy,
     * disruption budget, spread), and a NetworkPolicy must let it reach both ports.
     */
    @Test
    void testPodIsNoKeepwarmPodAndTheNetworkPolicyLetsItIn() {
        UnaryOperator<TemplateCommand> values = template -> template.set("networkPolicy.enabled", "true")
            .set("networkPolicy.egress.enabled", "true")
            .set("podDisruptionBudget.enabled", "true");
        Manifests manifests = render(values);
        Map<String, Object> labels = map(at(testPod(values), "metadata", "labels"));

        for (Map<String, Object> selector : List.of(map(at(manifests.only("Service"), "spec", "selector")),
                map(at(manifests.only("Deployment"), "spec", "selector", "matchLabels")),
                map(at(manifests.only("NetworkPolicy"), "spec", "podSelector", "matchLabels")),
                map(at(manifests.only("PodDisruptionBudget"), "spec", "selector", "matchLabels")))) {
            assertThat(labels.entrySet().containsAll(selector.entrySet())).as("test pod selected by %s", selector)
                .isFalse();
        }
        List<Object> ingress = list(at(manifests.only("NetworkPolicy"), "spec", "ingress"));
        assertThat(ingress).anySatisfy(rule -> {
            assertThat(labels).containsAllEntriesOf(map(at(rule, "from", 0, "podSelector", "matchLabels")));
            assertThat(list(at(rule, "ports"))).extracting(port -> map(port).get("port"))
                .containsExactlyInAnyOrder(8080, 8081);
        });
    }

    @Test
    void testPodsScriptPassesAgainstKeepwarmStartedFromTheRenderedConfig() {
        try (FakeOllama ollama = FakeOllama.start().withModel("llama3.2:1b").version("0.9.9")) {
            ContainerRun container = ContainerRun
                .ofHelm(render(template -> template.set("upstream.url", ollama.url().toString())), dir);
            Map<String, Object> pod = testPod(template -> template);

            try (RunningKeepwarm keepwarm = RunningKeepwarm.start(container.environment(),
                    RunningKeepwarm.randomPorts())) {
                Tools.Run run = HookScript.run(pod, services(keepwarm), Map.of());

                assertThat(run.exitCode()).as(run.output()).isZero();
                assertThat(run.output()).contains("\"status\":\"UP\"", "\"version\":\"0.9.9\"");
                assertThat(ollama.received("/api/version")).isNotEmpty();

                // a stopping pod: readiness 503, so the test fails
                keepwarm.refuseTraffic();
                Tools.Run stopping = HookScript.run(pod, services(keepwarm), Map.of());
                assertThat(stopping.exitCode()).as(stopping.output()).isNotZero();
                assertThat(stopping.output()).contains("503");
            }
        }
    }

    @Test
    void testPodsScriptFailsWhenKeepwarmIsNotThereOrOllamaIsNot() {
        Map<String, Object> pod = testPod(template -> template);
        // nothing listens on port 9 (discard) of this machine
        Tools.Run absent = HookScript.run(pod,
                Map.of(MANAGEMENT_SERVICE, "http://127.0.0.1:9", PROXY_SERVICE, "http://127.0.0.1:9"), Map.of());
        assertThat(absent.exitCode()).as(absent.output()).isNotZero();

        FakeOllama ollama = FakeOllama.start();
        URI gone = ollama.url();
        ollama.close();
        ContainerRun container = ContainerRun.ofHelm(render(template -> template.set("upstream.url", gone.toString())),
                dir);
        try (RunningKeepwarm keepwarm = RunningKeepwarm.start(container.environment(), RunningKeepwarm.randomPorts())) {
            // ready (readiness ignores Ollama), but the proxied request gets a 502
            Tools.Run noOllama = HookScript.run(pod, services(keepwarm), Map.of());
            assertThat(noOllama.exitCode()).as(noOllama.output()).isNotZero();
            assertThat(noOllama.output()).contains("\"status\":\"UP\"", "502");
        }
    }

    @Test
    void withApiKeysTheTestPodUsesTheKeyOfItsSecretOrExpectsARefusal() {
        try (FakeOllama ollama = FakeOllama.start().withModel("llama3.2:1b")) {
            ContainerRun container = ContainerRun
                .ofHelm(render(template -> withKey(template).set("upstream.url", ollama.url().toString())), dir);
            Map<String, Object> withSecret = testPod(
                    template -> withKey(template).set("tests.apiKey.existingSecret", "kw-test-key"));
            Map<String, Object> withoutSecret = testPod(HelmChartClusterTest::withKey);
            assertThat(list(at(withSecret, "spec", "containers", 0, "env"))).contains(Map.of("name", "API_KEY",
                    "valueFrom", Map.of("secretKeyRef", Map.of("name", "kw-test-key", "key", "api-key"))));

            try (RunningKeepwarm keepwarm = RunningKeepwarm.start(container.environment(),
                    RunningKeepwarm.randomPorts())) {
                Tools.Run keyed = HookScript.run(withSecret, services(keepwarm),
                        Map.of("kw-test-key/api-key", CLIENT_KEY));
                assertThat(keyed.exitCode()).as(keyed.output()).isZero();
                assertThat(keyed.output()).contains("\"version\"");

                Tools.Run wrongKey = HookScript.run(withSecret, services(keepwarm),
                        Map.of("kw-test-key/api-key", "not-the-key"));
                assertThat(wrongKey.exitCode()).as(wrongKey.output()).isNotZero();
                assertThat(wrongKey.output()).contains("401");

                Tools.Run refused = HookScript.run(withoutSecret, services(keepwarm), Map.of());
                assertThat(refused.exitCode()).as(refused.output()).isZero();
                assertThat(refused.output()).contains("refused without an API key (401)");
            }
        }
    }

    private static TemplateCommand withKey(TemplateCommand template) {
        return template.set("apiKeys.enabled", "true")
            .set("apiKeys.keys[0].name", "client")
            .set("apiKeys.keys[0].key-sha256", HelmRender.sha256(CLIENT_KEY));
    }

    private Map<String, Object> testPod(UnaryOperator<TemplateCommand> values) {
        return renderTestHooks(dir.resolve("hooks-" + System.nanoTime()), values).only("Pod");
    }

    private static Map<String, String> services(RunningKeepwarm keepwarm) {
        return Map.of(MANAGEMENT_SERVICE, "http://127.0.0.1:" + keepwarm.managementPort(), PROXY_SERVICE,
                "http://127.0.0.1:" + keepwarm.proxyPort());
    }

    @Test
    void stoppingPodSleepsInPreStopThenShutsDownWithinTheGracePeriod() {
        Manifests manifests = renderDefaults();

        assertThat(at(manifests.container(), "lifecycle", "preStop", "exec", "command"))
            .isEqualTo(List.of("sleep", "10"));
        assertThat(at(manifests.podSpec(), "terminationGracePeriodSeconds")).isEqualTo(45);
        assertThat(map(at(map(new Yaml().load(manifests.applicationYml())), "spring", "lifecycle")))
            .containsEntry("timeout-per-shutdown-phase", "30s");
        // exec sleep needs a sleep in the image: the runtime stage is a full JRE image,
        // not a distroless one
        assertThat(Dockerfile.parse(ProjectFiles.read("Dockerfile")).last().image()).startsWith("eclipse-temurin:")
            .doesNotContain("distroless");

        Manifests custom = render(template -> template.set("preStopSleepSeconds", "5")
            .set("shutdownTimeoutSeconds", "120")
            .set("terminationGracePeriodSeconds", "130"));
        assertThat(at(custom.container(), "lifecycle", "preStop", "exec", "command")).isEqualTo(List.of("sleep", "5"));
        assertThat(custom.applicationYml()).contains("timeout-per-shutdown-phase: 120s");
        assertThat(map(render(template -> template.set("preStopSleepSeconds", "0")).container()))
            .doesNotContainKey("lifecycle");
    }

    @Test
    void keepwarmStartsWithTheRenderedShutdownPhase() {
        try (FakeOllama ollama = FakeOllama.start()) {
            ContainerRun container = ContainerRun
                .ofHelm(render(template -> template.set("upstream.url", ollama.url().toString())
                    .set("shutdownTimeoutSeconds", "50")
                    .set("terminationGracePeriodSeconds", "65")), dir);
            try (RunningKeepwarm keepwarm = RunningKeepwarm.start(container.environment(),
                    RunningKeepwarm.randomPorts())) {
                assertThat(keepwarm.property("spring.lifecycle.timeout-per-shutdown-phase")).isEqualTo("50s");
                keepwarm.management().get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
            }
        }
    }

    @Test
    void aGracePeriodThatDoesNotCoverPreStopAndShutdownFailsTheRender() {
        assertThatThrownBy(() -> render(template -> template.set("terminationGracePeriodSeconds", "40")))
            .hasMessageContaining("terminationGracePeriodSeconds (40) must be greater than preStopSleepSeconds (10) "
                    + "+ shutdownTimeoutSeconds (30) = 40");
        assertThatThrownBy(() -> render(template -> template.set("shutdownTimeoutSeconds", "60")))
            .hasMessageContaining("terminationGracePeriodSeconds (45) must be greater than");
    }

    @Test
    void severalPodsAreSpreadOverNodesByDefault() {
        assertThat(renderDefaults().podSpec()).as("one pod: nothing to spread")
            .doesNotContainKey("topologySpreadConstraints");

        Manifests two = render(template -> template.set("replicaCount", "2"));
        Map<String, Object> selector = map(at(two.only("Deployment"), "spec", "selector", "matchLabels"));
        assertThat(list(two.podSpec().get("topologySpreadConstraints")))
            .containsExactly(Map.of("maxSkew", 1, "topologyKey", "kubernetes.io/hostname", "whenUnsatisfiable",
                    "ScheduleAnyway", "labelSelector", Map.of("matchLabels", selector)));
        assertThat(render(template -> template.set("autoscaling.enabled", "true")).podSpec())
            .containsKey("topologySpreadConstraints");
        assertThat(
                render(template -> template.set("replicaCount", "2").set("defaultTopologySpread", "false")).podSpec())
            .doesNotContainKey("topologySpreadConstraints");
    }

    @Test
    void topologySpreadConstraintsOfTheValuesReplaceTheDefault() {
        Manifests manifests = render(template -> template.set("replicaCount", "3")
            .set("topologySpreadConstraints[0].maxSkew", "1")
            .set("topologySpreadConstraints[0].topologyKey", "topology.kubernetes.io/zone")
            .set("topologySpreadConstraints[0].whenUnsatisfiable", "DoNotSchedule"));

        assertThat(list(manifests.podSpec().get("topologySpreadConstraints"))).containsExactly(Map.of("maxSkew", 1,
                "topologyKey", "topology.kubernetes.io/zone", "whenUnsatisfiable", "DoNotSchedule"));
    }

    @Test
    void networkPolicyLeavesEgressAloneUnlessAskedThenAllowsDnsAndOllamasPorts() {
        assertThat(at(render(template -> template.set("networkPolicy.enabled", "true")).only("NetworkPolicy"), "spec",
                "policyTypes"))
            .isEqualTo(List.of("Ingress"));

        Manifests manifests = render(template -> template.set("networkPolicy.enabled", "true")
            .set("networkPolicy.egress.enabled", "true")
            .set("networkPolicy.egress.ollamaTo[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name",
                    "llm"));
        Map<String, Object> policy = manifests.only("NetworkPolicy");
        assertThat(at(policy, "spec", "policyTypes")).isEqualTo(List.of("Ingress", "Egress"));
        List<Object> egress = list(at(policy, "spec", "egress"));
        assertThat(egress).hasSize(2);
        assertThat(at(egress.get(0), "ports"))
            .isEqualTo(List.of(Map.of("port", 53, "protocol", "UDP"), Map.of("port", 53, "protocol", "TCP")));
        assertThat(map(egress.get(0))).doesNotContainKey("to");
        assertThat(map(egress.get(1))).containsEntry("to", List
            .of(Map.of("namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "llm")))));
        assertThat(egressPorts(egress.get(1))).containsExactlyElementsOf(ollamaPorts(manifests));
    }

    @Test
    void egressCoversEveryHostOfAFleetAndDiscoverysPort() {
        Manifests manifests = render(template -> template.set("networkPolicy.enabled", "true")
            .set("networkPolicy.egress.enabled", "true")
            .set("upstream.hosts[0].name", "gpu0")
            .set("upstream.hosts[0].url", "http://10.0.0.5:11500")
            .set("upstream.hosts[1].name", "gpu1")
            .set("upstream.hosts[1].url", "https://gpu1.example")
            .set("upstream.discovery.dns", "ollama-headless.llm.svc.cluster.local")
            .set("upstream.discovery.port", "11434"));

        List<Object> egress = list(at(manifests.only("NetworkPolicy"), "spec", "egress"));
        assertThat(egressPorts(egress.get(1))).containsExactlyInAnyOrder(11500, 443, 11434)
            .containsExactlyInAnyOrderElementsOf(ollamaPorts(manifests));
    }

    /**
     * The ports of the Ollama hosts the application will call, from its bound
     * configuration.
     */
    private static List<Integer> ollamaPorts(Manifests manifests) {
        UpstreamProperties upstream = KeepwarmConfig.of(manifests.applicationYml()).upstream();
        Stream<URI> urls = upstream.fleet() ? upstream.hosts().stream().map(UpstreamProperties.Host::url)
                : Stream.of(upstream.url());
        Stream<Integer> ports = urls
            .map(url -> url.getPort() != -1 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80);
        if (upstream.discovery() != null) {
            ports = Stream.concat(ports, Stream.of(upstream.discovery().port()));
        }
        return ports.distinct().toList();
    }

    private static List<Object> egressPorts(Object rule) {
        return list(at(rule, "ports")).stream().map(port -> map(port).get("port")).toList();
    }

    @Test
    void chartYamlCarriesArtifactHubMetadata() {
        Map<String, Object> chart = ProjectFiles.yaml("helm/keepwarm/Chart.yaml");

        assertThat(chart).containsKeys("home", "sources", "maintainers", "kubeVersion")
            .containsEntry("kubeVersion", ">=1.25.0-0");
        assertThat(list(chart.get("sources"))).isNotEmpty();
        assertThat(list(chart.get("maintainers"))).allSatisfy(m -> assertThat(map(m)).containsKey("name"));
        Map<String, Object> annotations = map(chart.get("annotations"));
        assertThat(annotations).containsKeys("artifacthub.io/changes", "artifacthub.io/license", "artifacthub.io/links",
                "artifacthub.io/images");
        assertThat(list(new Yaml().load((String) annotations.get("artifacthub.io/changes")))).isNotEmpty()
            .allSatisfy(change -> assertThat(map(change)).containsKeys("kind", "description")
                .extractingByKey("kind")
                .isIn("added", "changed", "deprecated", "removed", "fixed", "security"));
        // the images listed are the ones the chart runs by default
        Object images = new Yaml().load((String) annotations.get("artifacthub.io/images"));
        assertThat(list(images)).extracting(image -> map(image).get("image"))
            .containsExactlyInAnyOrder(renderDefaults().container().get("image"),
                    at(testPod(template -> template), "spec", "containers", 0, "image"));
    }

    @Test
    void clustersOlderThanTheChartsKubeVersionAreRefused() {
        assertThatThrownBy(() -> HelmRender.CHART.template().withName("kw").withKubeVersion("1.24.9").call())
            .hasMessageContaining("chart requires kubeVersion: >=1.25.0-0 which is incompatible with Kubernetes");
        assertThat(Manifests.parse(HelmRender.CHART.template().withName("kw").withKubeVersion("1.25.0-eks-1").call())
            .kinds()).contains("Deployment");
        assertThat(renderDefaults().kinds()).asInstanceOf(InstanceOfAssertFactories.LIST).contains("Deployment");
    }

}
