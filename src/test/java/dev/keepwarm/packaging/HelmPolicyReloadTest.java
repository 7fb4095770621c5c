package dev.keepwarm.packaging;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.keepwarm.fake.FakeOllama;

import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static dev.keepwarm.packaging.HelmRender.renderDefaults;
import static dev.keepwarm.packaging.HelmRender.renderYaml;
import static dev.keepwarm.packaging.ProjectFiles.at;
import static dev.keepwarm.packaging.ProjectFiles.list;
import static dev.keepwarm.packaging.ProjectFiles.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Policies change without restarting pods: they are a ConfigMap of their own, mounted as
 * a directory and read as keepwarm.policy-file, and the pods' checksum leaves them out.
 */
class HelmPolicyReloadTest {

    private static final String POLICIES_DIR = "/etc/keepwarm/policies";

    @TempDir
    Path dir;

    /** The chart's example rule for llama3.2:1b with another keep-alive. */
    private static String pinnedFor(String keepAlive, String upstreamUrl) {
        return """
                upstream:
                  url: %s
                policies:
                  default:
                    keep-alive: 10m
                    mode: fill
                  models:
                    - match: "llama3.2:1b"
                      keep-alive: %s
                      mode: override
                      warm: true
                      allow-unload: false
                """.formatted(upstreamUrl, keepAlive);
    }

    @Test
    void policiesAreADirectoryMountReadAsThePolicyFile() {
        Manifests manifests = renderDefaults();

        assertThat(list(manifests.container().get("volumeMounts")))
            .contains(Map.of("name", "policies", "mountPath", POLICIES_DIR, "readOnly", true))
            .noneMatch(mount -> map(mount).containsKey("subPath"));
        assertThat(list(manifests.podSpec().get("volumes")))
            .contains(Map.of("name", "policies", "configMap", Map.of("name", "kw-keepwarm-policies")));
        assertThat(list(manifests.container().get("env")))
            .contains(Map.of("name", "KEEPWARM_POLICYFILE", "value", POLICIES_DIR + "/policies.yml"));
        KeepwarmConfig.assertExamplePolicies(KeepwarmConfig.of(manifests.policiesYml()).policies());
        assertThat(manifests.applicationYml()).doesNotContain("policy");
    }

    @Test
    void anUpgradeThatChangesOnlyPoliciesLeavesThePodTemplateAsItWas() {
        Manifests before = renderYaml(dir, pinnedFor("forever", "http://ollama:11434"));
        Manifests after = renderYaml(dir, pinnedFor("2h", "http://ollama:11434"));

        assertThat(after.policiesYml()).isNotEqualTo(before.policiesYml());
        assertThat(podTemplate(after)).isEqualTo(podTemplate(before));
    }

    @Test
    void anUpgradeThatChangesOtherConfigurationRollsThePods() {
        Manifests before = renderDefaults();
        Manifests after = HelmRender.render(template -> template.set("warmer.interval", "1m"));

        assertThat(after.podAnnotation("checksum/config")).matches("[0-9a-f]{64}")
            .isNotEqualTo(before.podAnnotation("checksum/config"));
        assertThat(renderDefaults().podAnnotation("checksum/config"))
            .isEqualTo(before.podAnnotation("checksum/config"));
    }

    /**
     * helm upgrade with a new keep-alive as the kubelet delivers it: a new timestamped
     * directory, then the ..data link swapped; the running keepwarm applies it.
     */
    @Test
    void keepwarmAppliesAPolicyUpgradeWithoutARestart() {
        try (FakeOllama ollama = FakeOllama.start().withModel("llama3.2:1b")) {
            String upstream = ollama.url().toString();
            ContainerRun container = ContainerRun.ofHelm(renderYaml(dir, pinnedFor("forever", upstream)), dir);

            try (RunningKeepwarm keepwarm = RunningKeepwarm.start(container.environment(),
                    RunningKeepwarm.randomPorts())) {
                generate(keepwarm).expectHeader()
                    .valueEquals("X-Keepwarm-Keep-Alive", "-1; rule=llama3.2:1b; action=override");

                Manifests upgraded = renderYaml(dir, pinnedFor("2h", upstream));
                container.update(POLICIES_DIR, Map.of("policies.yml", upgraded.policiesYml()));

                // keepwarm looks at the file every 5 s
                // (keepwarm.policy-file-check-interval)
                await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> generate(keepwarm).expectHeader()
                        .valueEquals("X-Keepwarm-Keep-Alive", "2h; rule=llama3.2:1b; action=override"));
                assertThat(ollama.lastReceived("/api/generate").orElseThrow().bodyText())
                    .contains("\"keep_alive\":\"2h\"");
            }
        }
    }

    /**
     * No policies at all (no default, no rule; models: null removes the key in Helm): the
     * policy file still has a keepwarm.policy section, and requests pass through
     * unchanged.
     */
    @Test
    void withNoPoliciesKeepwarmStartsAndForwardsUnchanged() {
        try (FakeOllama ollama = FakeOllama.start().withModel("llama3.2:1b")) {
            Manifests manifests = renderYaml(dir, """
                    upstream:
                      url: %s
                    policies:
                      default: null
                      models: null
                    """.formatted(ollama.url()));
            assertThat(manifests.policiesYml()).contains("models: []");
            ContainerRun container = ContainerRun.ofHelm(manifests, dir);

            try (RunningKeepwarm keepwarm = RunningKeepwarm.start(container.environment(),
                    RunningKeepwarm.randomPorts())) {
                generate(keepwarm).expectHeader().valueEquals("X-Keepwarm-Keep-Alive", "unset; rule=none; action=pass");
                assertThat(ollama.lastReceived("/api/generate").orElseThrow().bodyText()).doesNotContain("keep_alive");
            }
        }
    }

    @Test
    void notesSayWherePoliciesLiveAndThatChangingThemRestartsNothing() {
        String notes = HelmRender.CHART.install()
            .withName("kw")
            .withNamespace("llm")
            .withKubeVersion(HelmRender.KUBE_VERSION)
            .clientOnly()
            .dryRun()
            .call()
            .getOutput();

        assertThat(notes)
            .contains("Policies live in ConfigMap kw-keepwarm-policies", "keepwarm reloads them without restarting",
                    "helm test kw --namespace llm")
            .doesNotContain("the pods roll automatically");
    }

    private static WebTestClient.ResponseSpec generate(RunningKeepwarm keepwarm) {
        return keepwarm.proxy()
            .post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\",\"stream\":false}")
            .exchange()
            .expectStatus()
            .isOk();
    }

    private static Object podTemplate(Manifests manifests) {
        return at(manifests.only("Deployment"), "spec", "template");
    }

}
