package dev.keepwarm.packaging;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.TemplateCommand;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import dev.keepwarm.fake.FakeOllama;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.keepwarm.support.OtlpReceiver;
import dev.keepwarm.support.TestPki;
import dev.keepwarm.support.TlsEndpoint;
import dev.keepwarm.support.OwnLogging;
import dev.keepwarm.ollama.UpstreamProperties;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.Mode;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.PolicyProperties;
import dev.keepwarm.policy.Replicas;
import dev.keepwarm.access.ApiKey;
import dev.keepwarm.access.Scope;

import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.util.unit.DataSize;

import static dev.keepwarm.packaging.ProjectFiles.at;
import static dev.keepwarm.packaging.ProjectFiles.list;
import static dev.keepwarm.packaging.ProjectFiles.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** helm/keepwarm: lints, renders, and renders a configuration the application binds. */
class HelmChartTest {

    private static final Helm CHART = HelmRender.CHART;

    private static Manifests render(UnaryOperator<TemplateCommand> values) {
        return HelmRender.render(values);
    }

    private static Manifests renderDefaults() {
        return HelmRender.renderDefaults();
    }

    /** Held by the clients; the values carry only their hashes. */
    private static final String WEBUI_KEY = "kw-helm-webui-6c0d2f";

    private static final String OPS_KEY = "kw-helm-ops-a93e71";

    private static Manifests renderEverythingOn() {
        return render(HelmChartTest::everythingOn);
    }

    private static TemplateCommand everythingOn(TemplateCommand template) {
        return template.set("serviceMonitor.enabled", "true")
            .set("prometheusRule.enabled", "true")
            .set("podDisruptionBudget.enabled", "true")
            .set("autoscaling.enabled", "true")
            .set("networkPolicy.enabled", "true")
            .set("networkPolicy.from[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name", "apps")
            .set("apiKeys.enabled", "true")
            .set("apiKeys.keys[0].name", "webui")
            .set("apiKeys.keys[0].key-sha256", sha256(WEBUI_KEY))
            .set("apiKeys.keys[0].scopes[0]", "inference")
            .set("apiKeys.keys[1].name", "ops")
            .set("apiKeys.keys[1].key-sha256", sha256(OPS_KEY))
            .set("apiKeys.keys[1].scopes[0]", "admin")
            .set("extraEnv[0].name", "KEEPWARM_SECURITY_ADMINROUTES")
            .set("extraEnv[0].value", "admin-scope");
    }

    private static String sha256(String key) {
        return HelmRender.sha256(key);
    }

    @Test
    void lintsCleanInStrictMode() {
        LintResult result = CHART.lint().strict().call();

        assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages())
            .noneMatch(message -> message.contains("[WARNING]") || message.contains("[ERROR]"));
    }

    @Test
    void defaultValuesRenderTheCoreObjectsOnly() {
        Manifests manifests = renderDefaults();

        assertThat(manifests.kinds()).containsExactlyInAnyOrder("ConfigMap", "ConfigMap", "Service", "Deployment");
        assertThat(at(manifests.only("Deployment"), "spec", "replicas")).isEqualTo(1);
        assertThat(manifests.container().get("image")).isEqualTo("keepwarm:0.1.0");
    }

    @Test
    void everyOptionalFeatureRendersItsObject() {
        Manifests manifests = renderEverythingOn();

        assertThat(manifests.kinds()).containsExactlyInAnyOrder("ConfigMap", "ConfigMap", "Service", "Deployment",
                "Secret", "ServiceMonitor", "PrometheusRule", "PodDisruptionBudget", "HorizontalPodAutoscaler",
                "NetworkPolicy");
        assertThat(manifests.only("HorizontalPodAutoscaler").get("apiVersion")).isEqualTo("autoscaling/v2");
        assertThat(manifests.only("PodDisruptionBudget").get("apiVersion")).isEqualTo("policy/v1");
        assertThat(map(at(manifests.only("Deployment"), "spec"))).doesNotContainKey("replicas");
    }

    @Test
    void configMapBindsToTheApplicationsPropertiesRecords() {
        KeepwarmConfig config = KeepwarmConfig.of(renderDefaults().applicationYml());

        KeepwarmConfig.assertExamplePolicies(KeepwarmConfig.of(renderDefaults().policiesYml()).policies());
        assertThat(config.upstream().url()).hasToString("http://ollama:11434");
        assertThat(config.warmer().interval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void examplePoliciesMatchTheComposeOnes() {
        PolicyProperties chart = KeepwarmConfig.of(renderDefaults().policiesYml()).policies();
        PolicyProperties compose = KeepwarmConfig.of(ProjectFiles.read("deploy/compose/application.yml")).policies();

        assertThat(chart).isEqualTo(compose);
    }

    @Test
    void policiesFromAValuesFileReachTheApplication(@TempDir Path dir) throws Exception {
        Path values = dir.resolve("values.yaml");
        Files.writeString(values, """
                upstream:
                  url: http://ollama.llm.svc:11434
                  idle-timeout: 20m
                warmer:
                  interval: 1m
                policies:
                  default: null
                  models:
                    - match: "qwen3:*"
                      keep-alive: 2h
                      mode: clamp
                      min: 5m
                      max: forever
                    - match: nomic-embed-text
                      keep-alive: forever
                      warm: true
                      options:
                        num_ctx: 8192
                    - match: "mistral*"
                      keep-alive: "-1"
                      allow-unload: false
                """);

        Manifests manifests = render(template -> template.withValuesFile(values));
        KeepwarmConfig config = KeepwarmConfig.of(manifests.applicationYml());

        PolicyProperties policies = KeepwarmConfig.of(manifests.policiesYml()).policies();
        assertThat(policies.defaultPolicy()).isNull();
        assertThat(policies.models()).extracting(ModelRule::match)
            .containsExactly("qwen3:*", "nomic-embed-text", "mistral*");
        ModelRule clamp = policies.models().get(0);
        assertThat(clamp.mode()).isEqualTo(Mode.CLAMP);
        assertThat(clamp.min()).isEqualTo(KeepAlive.of(Duration.ofMinutes(5)));
        assertThat(clamp.max()).isEqualTo(KeepAlive.FOREVER);
        assertThat(policies.models().get(1).options()).containsEntry("num_ctx", "8192");
        assertThat(policies.models().get(2).keepAlive()).isEqualTo(KeepAlive.FOREVER);
        assertThat(config.upstream().url()).hasToString("http://ollama.llm.svc:11434");
        assertThat(config.upstream().idleTimeout()).isEqualTo(Duration.ofMinutes(20));
        assertThat(config.warmer().interval()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void adaptiveValuesRenderAsKeepwarmAdaptiveAndTheApplicationStartsLearning(@TempDir Path dir) throws Exception {
        Path values = dir.resolve("values.yaml");
        try (FakeOllama ollama = FakeOllama.start().withModel("qwen3:8b")) {
            Files.writeString(values, """
                    upstream:
                      url: %s
                    policies:
                      default:
                        mode: adaptive
                        keep-alive: 10m
                        min: 1m
                        max: 2h
                      models: []
                    adaptive:
                      bin: 30s
                      range: 2h
                      margin: 20%%
                      state-file: /tmp/keepwarm-adaptive.txt
                    """.formatted(ollama.url()));
            Manifests manifests = render(template -> template.withValuesFile(values));
            KeepwarmConfig config = KeepwarmConfig.of(manifests.applicationYml());
            assertThat(KeepwarmConfig.of(manifests.policiesYml()).policies().defaultPolicy().mode())
                .isEqualTo(Mode.ADAPTIVE);
            assertThat(config.adaptive().bin()).isEqualTo(Duration.ofSeconds(30));
            assertThat(config.adaptive().margin()).isEqualTo("20%");
            assertThat(config.adaptive().stateFile()).hasToString("/tmp/keepwarm-adaptive.txt");
            assertThat(KeepwarmConfig.of(renderDefaults().applicationYml()).adaptive().bin())
                .as("absent by default: the application's defaults")
                .isEqualTo(Duration.ofMinutes(1));
            assertThat(renderDefaults().applicationYml()).doesNotContain("adaptive");

            ContainerRun container = ContainerRun.ofHelm(manifests, dir);
            try (RunningKeepwarm keepwarm = RunningKeepwarm.start(container.environment(),
                    RunningKeepwarm.randomPorts())) {
                keepwarm.proxy()
                    .post()
                    .uri("/api/generate")
                    .bodyValue("{\"model\":\"qwen3:8b\",\"prompt\":\"hi\",\"stream\":false}")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectHeader()
                    .valueEquals("X-Keepwarm-Keep-Alive", "10m; rule=default; action=adaptive");
            }
        }
    }

    @Test
    void logFormatSetsStructuredConsoleLogsAndRefusesAnUnknownOne() {
        // StructuredLogsTest shows what logging.structured.format.console=ecs writes
        assertThat(environment(render(template -> template.set("logFormat", "ecs"))))
            .containsEntry("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs");
        assertThat(environment(renderDefaults())).doesNotContainKey("LOGGING_STRUCTURED_FORMAT_CONSOLE");
        assertThatThrownBy(() -> render(template -> template.set("logFormat", "json")))
            .hasMessageContaining("logFormat must be ecs, logstash or gelf");
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void withLogFormatEcsTheApplicationStartsAndLogsJsonLines(@TempDir Path dir, CapturedOutput output)
            throws Exception {
        try (FakeOllama ollama = FakeOllama.start().withModel("llama3.2:1b")) {
            Manifests manifests = render(
                    template -> template.set("logFormat", "ecs").set("upstream.url", ollama.url().toString()));
            ContainerRun container = ContainerRun.ofHelm(manifests, dir);
            OwnLogging.run(() -> {
                try (RunningKeepwarm keepwarm = RunningKeepwarm.start(container.environment(),
                        RunningKeepwarm.randomPorts())) {
                    keepwarm.management().get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
                    assertThat(output.getOut()
                        .lines()
                        .filter(line -> line.startsWith("{\"@timestamp\""))
                        .filter(line -> line.contains("\"message\":\"Started KeepwarmApplication"))).hasSize(1);
                }
            });
        }
    }

    @Test
    void tracingSendsSpansToTheCollectorOfTheValuesAndIsOffWithoutOne(@TempDir Path dir) {
        assertThat(environment(renderDefaults()))
            .doesNotContainKey("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT");
        assertThatThrownBy(() -> render(template -> template.set("tracing.otlpEndpoint", "otel-collector:4318")))
            .hasMessageContaining("otlpEndpoint");
        String traceId = "5b8efff798038103d269b633813fc60c";
        try (FakeOllama ollama = FakeOllama.start().withModel("llama3.2:1b");
                OtlpReceiver collector = OtlpReceiver.start()) {
            Manifests manifests = render(template -> template.set("tracing.otlpEndpoint", collector.tracesUrl())
                .set("upstream.url", ollama.url().toString()));
            Map<String, String> environment = new java.util.HashMap<>(
                    ContainerRun.ofHelm(manifests, dir).environment());
            environment.put("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_SCHEDULE_DELAY", "20ms");
            try (RunningKeepwarm keepwarm = RunningKeepwarm.start(environment, RunningKeepwarm.randomPorts())) {
                keepwarm.proxy()
                    .post()
                    .uri("/api/generate")
                    .header("traceparent", "00-" + traceId + "-eee19b7ec3c1b174-01")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\"}")
                    .exchange()
                    .expectStatus()
                    .isOk();
                byte[] batch = await().atMost(Duration.ofSeconds(10))
                    .until(() -> collector.batchOf(traceId), java.util.Objects::nonNull);
                assertThat(OtlpReceiver.contains(batch, "POST /api/generate")).isTrue();
            }
        }
    }

    /**
     * upstream.tls.secret: the Secret (here a stand-in for cert-manager's, with the test
     * CA's ca.crt and keepwarm's client tls.crt and tls.key) is mounted and becomes the
     * SSL bundle of keepwarm.upstream.ssl-bundle; keepwarm started with exactly that
     * reaches an https Ollama that requires a client certificate.
     */
    @Test
    void upstreamTlsSecretBecomesTheSslBundleAndReachesAnHttpsOllamaOverMutualTls(@TempDir Path dir)
            throws IOException {
        TestPki pki = TestPki.get();
        try (FakeOllama ollama = FakeOllama.start().withModel("llama3.2:1b");
                TlsEndpoint https = TlsEndpoint.mutual(pki.server(), pki.caX509(), ollama.port())) {
            String rendered = CHART.template()
                .withName("kw")
                .withNamespace("llm")
                .withKubeVersion(HelmRender.KUBE_VERSION)
                .set("upstream.url", https.url().toString())
                .set("upstream.tls.secret", "ollama-tls")
                .set("upstream.tls.clientCertificate", "true")
                .call();
            assertThat(rendered).contains("value: file:/etc/keepwarm/tls/ca.crt",
                    "value: file:/etc/keepwarm/tls/tls.key", "secretName: ollama-tls");
            String secret = String.join("\n", "---", "apiVersion: v1", "kind: Secret", "metadata:",
                    "  name: ollama-tls", "data:", "  ca.crt: " + base64(pki.caCertificate()),
                    "  tls.crt: " + base64(pki.client().certificate()),
                    "  tls.key: " + base64(pki.client().privateKey()));
            Manifests manifests = Manifests.parse(rendered + "\n" + secret + "\n");
            try (RunningKeepwarm keepwarm = RunningKeepwarm.start(ContainerRun.ofHelm(manifests, dir).environment(),
                    RunningKeepwarm.randomPorts())) {
                keepwarm.proxy()
                    .post()
                    .uri("/api/generate")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\",\"stream\":false}")
                    .exchange()
                    .expectStatus()
                    .isOk();
                assertThat(https.handshakes()).anyMatch(client -> client.contains("CN=keepwarm"));
            }
        }
    }

    private static String base64(Path file) throws IOException {
        return java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(file));
    }

    /** The container's environment, by name. */
    private static Map<String, Object> environment(Manifests manifests) {
        Map<String, Object> environment = new java.util.HashMap<>();
        for (Object entry : (List<?>) manifests.container().get("env")) {
            Map<String, Object> variable = ProjectFiles.map(entry);
            environment.put((String) variable.get("name"), variable.get("value"));
        }
        return environment;
    }

    @Test
    void notesTellWhereToPointClientsAndWhatIsKeptWarm() {
        Release release = CHART.install()
            .withName("kw")
            .withNamespace("llm")
            .withKubeVersion(HelmRender.KUBE_VERSION)
            .clientOnly()
            .dryRun()
            .call();

        assertThat(release.getOutput()).contains("http://kw-keepwarm.llm.svc:8080", "Kept warm: llama3.2:1b",
                "/actuator/health/readiness");
    }

    @Test
    void configMapIsMountedWhereTheApplicationLooks() {
        Manifests manifests = renderDefaults();
        Map<String, Object> container = manifests.container();

        assertThat(list(container.get("env")))
            .contains(Map.of("name", "SPRING_CONFIG_ADDITIONAL_LOCATION", "value", "optional:file:/config/"));
        assertThat(list(container.get("volumeMounts")))
            .contains(Map.of("name", "config", "mountPath", "/config", "readOnly", true));
        assertThat(list(manifests.podSpec().get("volumes")))
            .contains(Map.of("name", "config", "configMap", Map.of("name", "kw-keepwarm")));
        assertThat(at(manifests.named("ConfigMap", "kw-keepwarm"), "data")).asInstanceOf(InstanceOfAssertFactories.MAP)
            .containsOnlyKeys("application.yml");
    }

    @Test
    void probesAskTheHealthGroupsOnTheManagementPort() {
        Map<String, Object> container = renderDefaults().container();

        assertThat(list(container.get("ports"))).contains(
                Map.of("name", "http", "containerPort", 8080, "protocol", "TCP"),
                Map.of("name", "management", "containerPort", 8081, "protocol", "TCP"));
        assertThat(at(container, "livenessProbe", "httpGet"))
            .isEqualTo(Map.of("path", "/actuator/health/liveness", "port", "management"));
        assertThat(at(container, "readinessProbe", "httpGet"))
            .isEqualTo(Map.of("path", "/actuator/health/readiness", "port", "management"));
        assertThat(at(container, "startupProbe", "httpGet"))
            .isEqualTo(Map.of("path", "/actuator/health/liveness", "port", "management"));
    }

    @Test
    void serviceExposesTheProxyAndANamedManagementPort() {
        Manifests manifests = renderEverythingOn();
        Map<String, Object> service = manifests.only("Service");

        assertThat(list(at(service, "spec", "ports"))).containsExactly(
                Map.of("name", "http", "port", 8080, "targetPort", "http", "protocol", "TCP"),
                Map.of("name", "management", "port", 8081, "targetPort", "management", "protocol", "TCP"));
        Map<String, Object> podLabels = map(at(manifests.only("Deployment"), "spec", "template", "metadata", "labels"));
        assertThat(podLabels).containsAllEntriesOf(map(at(service, "spec", "selector")));

        Map<String, Object> serviceMonitor = manifests.only("ServiceMonitor");
        assertThat(map(at(service, "metadata", "labels")))
            .containsAllEntriesOf(map(at(serviceMonitor, "spec", "selector", "matchLabels")));
        assertThat(at(serviceMonitor, "spec", "endpoints", 0))
            .isEqualTo(Map.of("port", "management", "path", "/actuator/prometheus", "interval", "30s"));
    }

    @Test
    void runsAsNonRootOnAReadOnlyRootFilesystem() {
        Manifests manifests = renderDefaults();
        Map<String, Object> pod = manifests.podSpec();
        Map<String, Object> container = manifests.container();

        assertThat(at(pod, "securityContext", "runAsNonRoot")).isEqualTo(true);
        assertThat((Integer) at(pod, "securityContext", "runAsUser")).isPositive();
        assertThat(at(container, "securityContext", "runAsNonRoot")).isEqualTo(true);
        assertThat(at(container, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(at(container, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(list(container.get("volumeMounts"))).contains(Map.of("name", "tmp", "mountPath", "/tmp"));
        assertThat(list(pod.get("volumes"))).contains(Map.of("name", "tmp", "emptyDir", Map.of()));
    }

    @Test
    void prometheusRuleCarriesTheAlertsOfAlertsYml() {
        Map<String, Object> rule = renderEverythingOn().only("PrometheusRule");

        assertThat(rule.get("spec")).isEqualTo(new Yaml().load(ProjectFiles.read("deploy/prometheus/alerts.yml")));
    }

    /**
     * Every option on, the way a pod would start: the container's environment, its
     * ConfigMap and Secret files at their mount paths (copied under a temporary
     * directory), the fake Ollama as upstream.url. Only the ports are the test's own.
     */
    @Test
    void withEveryOptionOnTheApplicationStartsAndChecksTheKeys(@TempDir Path dir) {
        try (FakeOllama ollama = FakeOllama.start().withModel("llama3.2:1b")) {
            Manifests manifests = render(
                    template -> everythingOn(template).set("upstream.url", ollama.url().toString()));
            ContainerRun container = ContainerRun.ofHelm(manifests, dir);

            try (RunningKeepwarm keepwarm = RunningKeepwarm.start(container.environment(),
                    RunningKeepwarm.randomPorts())) {
                generate(keepwarm, WEBUI_KEY).expectStatus()
                    .isOk()
                    .expectHeader()
                    .valueEquals("X-Keepwarm-Keep-Alive", "-1; rule=llama3.2:1b; action=override")
                    .expectBody()
                    .jsonPath("$.done")
                    .isEqualTo(true);
                generate(keepwarm, null).expectStatus().isUnauthorized();
                generate(keepwarm, sha256(WEBUI_KEY)).expectStatus().isUnauthorized();
                // extraEnv's admin-routes=admin-scope and the keys' scopes
                keepwarm.proxy()
                    .post()
                    .uri("/api/pull")
                    .headers(headers -> headers.setBearerAuth(WEBUI_KEY))
                    .bodyValue("{\"model\":\"llama3.2:1b\"}")
                    .exchange()
                    .expectStatus()
                    .isForbidden();
                keepwarm.management().get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
            }
        }
    }

    private static WebTestClient.ResponseSpec generate(RunningKeepwarm keepwarm, String key) {
        return keepwarm.proxy().post().uri("/api/generate").contentType(MediaType.APPLICATION_JSON).headers(headers -> {
            if (key != null) {
                headers.setBearerAuth(key);
            }
        }).bodyValue("{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\",\"stream\":false}").exchange();
    }

    @Test
    void apiKeysComeFromASecretFileHoldingOnlyTheirHashes(@TempDir Path dir) {
        Manifests manifests = renderEverythingOn();
        ContainerRun container = ContainerRun.ofHelm(manifests, dir);

        String apiKeysYml = container.file("/etc/keepwarm/api-keys/api-keys.yml");
        assertThat(KeepwarmConfig.of(apiKeysYml).security().apiKeys()).satisfiesExactly(
                webui -> assertThat(webui).extracting(ApiKey::name, ApiKey::keySha256, ApiKey::scopes)
                    .containsExactly("webui", sha256(WEBUI_KEY), Set.of(Scope.INFERENCE)),
                ops -> assertThat(ops).extracting(ApiKey::name, ApiKey::keySha256, ApiKey::scopes)
                    .containsExactly("ops", sha256(OPS_KEY), Set.of(Scope.ADMIN)));
        assertThat(manifests.objects().toString()).doesNotContain(WEBUI_KEY).doesNotContain(OPS_KEY);
        assertThat(manifests.applicationYml()).doesNotContain(sha256(WEBUI_KEY));
        assertThat(container.environment()).doesNotContainKey("KEEPWARM_SECURITY_APIKEYS");
        assertThat(manifests.podAnnotation("checksum/api-keys")).matches("[0-9a-f]{64}");
    }

    @Test
    void aPlainKeyInsteadOfItsHashFailsTheRender() {
        assertThatThrownBy(() -> render(template -> template.set("apiKeys.enabled", "true")
            .set("apiKeys.keys[0].name", "webui")
            .set("apiKeys.keys[0].key-sha256", WEBUI_KEY)))
            .hasMessageContaining("apiKeys.keys[0].key-sha256 must be the SHA-256 of the key as 64 hex characters");
        assertThatThrownBy(
                () -> render(template -> template.set("apiKeys.enabled", "true").set("apiKeys.keys[0]", WEBUI_KEY)))
            .hasMessageContaining("at '/apiKeys/keys/0': got string, want object");
    }

    @Test
    void apiKeysAreAbsentUnlessEnabled() {
        Manifests manifests = renderDefaults();

        assertThat(list(manifests.container().get("env")))
            .contains(Map.of("name", "SPRING_CONFIG_ADDITIONAL_LOCATION", "value", "optional:file:/config/"));
        assertThat(list(manifests.podSpec().get("volumes"))).noneMatch(volume -> map(volume).containsKey("secret"));
        assertThat(map(at(map(new Yaml().load(manifests.applicationYml())), "keepwarm"))).doesNotContainKey("security");
    }

    @Test
    void apiKeysCanComeFromAnExistingSecret() {
        Manifests manifests = render(
                template -> template.set("apiKeys.enabled", "true").set("apiKeys.existingSecret", "ollama-clients"));

        assertThat(manifests.kinds()).doesNotContain("Secret");
        assertThat(list(manifests.podSpec().get("volumes")))
            .contains(Map.of("name", "api-keys", "secret", Map.of("secretName", "ollama-clients", "items",
                    List.of(Map.of("key", "api-keys.yml", "path", "api-keys.yml")))));
        assertThat(list(manifests.container().get("env"))).contains(Map.of("name", "SPRING_CONFIG_ADDITIONAL_LOCATION",
                "value", "optional:file:/config/,file:/etc/keepwarm/api-keys/api-keys.yml"));
    }

    @Test
    void networkPolicyAdmitsClientsToTheProxyPortAndPrometheusToTheManagementPort() {
        Manifests manifests = renderEverythingOn();
        Map<String, Object> policy = manifests.only("NetworkPolicy");
        Map<String, Object> podLabels = map(at(manifests.only("Deployment"), "spec", "template", "metadata", "labels"));
        Map<String, Object> selector = map(at(policy, "spec", "podSelector", "matchLabels"));
        List<Object> containerPorts = list(manifests.container().get("ports")).stream()
            .map(port -> map(port).get("containerPort"))
            .toList();

        assertThat(selector).isNotEmpty()
            .isEqualTo(map(at(manifests.only("Deployment"), "spec", "selector", "matchLabels")));
        assertThat(podLabels).containsAllEntriesOf(selector);
        assertThat(at(policy, "spec", "policyTypes")).isEqualTo(List.of("Ingress"));
        List<Object> rules = list(at(policy, "spec", "ingress"));
        // the clients' and Prometheus's rules (the helm test pod's follows:
        // HelmChartClusterTest)
        assertThat(rules.subList(0, 2)).extracting(rule -> at(rule, "ports", 0, "port"))
            .containsExactlyElementsOf(containerPorts);
        assertThat(at(rules.get(0), "from")).isEqualTo(List
            .of(Map.of("namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "apps")))));
        assertThat(at(rules.get(1), "from")).isEqualTo(List.of(Map.of("namespaceSelector",
                Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "monitoring")))));
        // the ServiceMonitor scrapes the port the policy opens to Prometheus
        assertThat(list(at(manifests.only("Service"), "spec", "ports")))
            .anySatisfy(port -> assertThat(map(port)).containsEntry("name", "management")
                .containsEntry("port", at(rules.get(1), "ports", 0, "port")));
        assertThat(renderDefaults().kinds()).doesNotContain("NetworkPolicy");
    }

    @Test
    void apiKeysEnabledWithoutKeysFailsWithAMessage() {
        assertThatThrownBy(() -> render(template -> template.set("apiKeys.enabled", "true")))
            .hasMessageContaining("apiKeys.enabled needs apiKeys.keys or apiKeys.existingSecret");
    }

    @Test
    void podDisruptionBudgetAndAutoscalerSelectThePods() {
        Manifests manifests = renderEverythingOn();
        Map<String, Object> podLabels = map(at(manifests.only("Deployment"), "spec", "template", "metadata", "labels"));

        assertThat(podLabels)
            .containsAllEntriesOf(map(at(manifests.only("PodDisruptionBudget"), "spec", "selector", "matchLabels")));
        assertThat(at(manifests.only("HorizontalPodAutoscaler"), "spec", "scaleTargetRef"))
            .isEqualTo(Map.of("apiVersion", "apps/v1", "kind", "Deployment", "name", "kw-keepwarm"));
        assertThat(list(at(manifests.only("HorizontalPodAutoscaler"), "spec", "metrics"))).isNotEmpty();
    }

    /** upstream.hosts as a user lists them, one entry per fake: gpu0, gpu1, ... */
    private static TemplateCommand fleetOf(TemplateCommand template, List<FakeOllama> fakes) {
        TemplateCommand fleet = template;
        for (int i = 0; i < fakes.size(); i++) {
            fleet = fleet.set("upstream.hosts[" + i + "].name", "gpu" + i)
                .set("upstream.hosts[" + i + "].url", fakes.get(i).url().toString());
        }
        return fleet;
    }

    @Test
    void fleetHostsAndDiscoveryRenderIntoConfigThatBinds() {
        Manifests manifests = render(template -> template.set("upstream.hosts[0].name", "gpu0")
            .set("upstream.hosts[0].url", "http://10.0.0.5:11434")
            .set("upstream.hosts[0].memory", "24GB")
            .set("upstream.hosts[0].maxLoaded", "2")
            .set("upstream.hosts[1].name", "gpu1")
            .set("upstream.hosts[1].url", "https://gpu1.example:443")
            .set("upstream.discovery.dns", "ollama-headless.llm.svc.cluster.local")
            .set("upstream.discovery.refresh", "1m")
            .set("upstream.idle-timeout", "20m"));

        KeepwarmConfig config = KeepwarmConfig.of(manifests.applicationYml());
        UpstreamProperties upstream = config.upstream();
        assertThat(upstream.fleet()).isTrue();
        assertThat(upstream.hosts()).containsExactly(
                new UpstreamProperties.Host("gpu0", URI.create("http://10.0.0.5:11434"), DataSize.ofGigabytes(24), 2),
                new UpstreamProperties.Host("gpu1", URI.create("https://gpu1.example:443"), null,
                        UpstreamProperties.Host.DEFAULT_MAX_LOADED));
        assertThat(upstream.discovery()).isEqualTo(new UpstreamProperties.Discovery(
                "ollama-headless.llm.svc.cluster.local", 11434, Duration.ofMinutes(1), "http"));
        assertThat(upstream.idleTimeout()).isEqualTo(Duration.ofMinutes(20));
        // a fleet does not use upstream.url, so the chart leaves it out
        assertThat(manifests.applicationYml()).doesNotContain("http://ollama:11434").doesNotContain("maxLoaded");
    }

    @Test
    void withoutHostsOrDiscoveryTheConfigIsTheOneOllamaAsBefore() {
        Map<String, Object> upstream = map(
                at(map(new Yaml().load(renderDefaults().applicationYml())), "keepwarm", "upstream"));

        assertThat(upstream).isEqualTo(Map.of("url", "http://ollama:11434"));
        assertThat(KeepwarmConfig.of(renderDefaults().applicationYml()).upstream().fleet()).isFalse();
    }

    /**
     * A fleet the way a pod starts: the chart renders upstream.hosts naming three started
     * fake Ollamas, and keepwarm runs with exactly the rendered environment and files.
     */
    @Test
    void withAFleetOfHostsTheApplicationStartsAndRoutesToOneOfThem(@TempDir Path dir) {
        List<FakeOllama> fakes = IntStream.range(0, 3)
            .mapToObj(i -> FakeOllama.start().withModel("llama3.2:1b"))
            .toList();
        try {
            ContainerRun container = ContainerRun.ofHelm(render(template -> fleetOf(template, fakes)), dir);

            try (RunningKeepwarm keepwarm = RunningKeepwarm.start(container.environment(),
                    RunningKeepwarm.randomPorts())) {
                String host = generate(keepwarm, null).expectStatus()
                    .isOk()
                    .expectHeader()
                    .valueEquals("X-Keepwarm-Keep-Alive", "-1; rule=llama3.2:1b; action=override")
                    .returnResult(String.class)
                    .getResponseHeaders()
                    .getFirst("X-Keepwarm-Upstream");
                assertThat(host).isIn("gpu0", "gpu1", "gpu2");
                assertThat(fakes.get(Integer.parseInt(host.substring(3))).received("/api/generate")).isNotEmpty();
                keepwarm.management()
                    .get()
                    .uri("/actuator/keepwarm")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .jsonPath("$.hosts[*].name")
                    .value(names -> assertThat(names).asInstanceOf(InstanceOfAssertFactories.LIST)
                        .containsExactlyInAnyOrder("gpu0", "gpu1", "gpu2"))
                    .jsonPath("$.hosts[*].url")
                    .value(urls -> assertThat(urls).asInstanceOf(InstanceOfAssertFactories.LIST)
                        .containsExactlyInAnyOrderElementsOf(
                                fakes.stream().map(fake -> fake.url().toString()).toList()));
            }
        }
        finally {
            fakes.forEach(FakeOllama::close);
        }
    }

    /**
     * Discovery as rendered: 127.0.0.1 stands in for the headless Service's name (it
     * resolves to one address, the fake's), the fake's port for Ollama's.
     */
    @Test
    void withDiscoveryTheApplicationStartsAndRoutesToTheAddressFound(@TempDir Path dir) {
        try (FakeOllama ollama = FakeOllama.start().withModel("llama3.2:1b")) {
            ContainerRun container = ContainerRun
                .ofHelm(render(template -> template.set("upstream.discovery.dns", "127.0.0.1")
                    .set("upstream.discovery.port", String.valueOf(ollama.port()))), dir);

            try (RunningKeepwarm keepwarm = RunningKeepwarm.start(container.environment(),
                    RunningKeepwarm.randomPorts())) {
                // the first resolution runs in the background after start-up
                await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> keepwarm.management()
                        .get()
                        .uri("/actuator/keepwarm")
                        .exchange()
                        .expectBody()
                        .jsonPath("$.hosts[0].name")
                        .isEqualTo("127-0-0-1"));
                generate(keepwarm, null).expectStatus()
                    .isOk()
                    .expectHeader()
                    .valueEquals("X-Keepwarm-Upstream", "127-0-0-1");
                assertThat(ollama.received("/api/generate")).isNotEmpty();
            }
        }
    }

    @Test
    void aBadOrRepeatedHostNameFailsTheRender() {
        assertThatThrownBy(() -> render(template -> template.set("upstream.hosts[0].name", "GPU_0")
            .set("upstream.hosts[0].url", "http://10.0.0.5:11434")))
            .hasMessageContaining("upstream.hosts[0].name must be lower-case letters, digits and '-' ([a-z0-9-]+), "
                    + "not \"GPU_0\"");
        assertThatThrownBy(() -> render(template -> template.set("upstream.hosts[0].url", "http://10.0.0.5:11434")))
            .hasMessageContaining("upstream.hosts[0].name must be lower-case letters");
        assertThatThrownBy(() -> render(template -> template.set("upstream.hosts[0].name", "gpu0")
            .set("upstream.hosts[0].url", "http://10.0.0.5:11434")
            .set("upstream.hosts[1].name", "gpu1")
            .set("upstream.hosts[1].url", "http://10.0.0.6:11434")
            .set("upstream.hosts[2].name", "gpu0")
            .set("upstream.hosts[2].url", "http://10.0.0.7:11434")))
            .hasMessageContaining("upstream.hosts[2].name \"gpu0\" is also the name of upstream.hosts[0]: "
                    + "each host needs a name of its own");
    }

    @Test
    void aHostOrDiscoveryTheApplicationWouldRefuseFailsTheRender() {
        assertThatThrownBy(() -> render(template -> template.set("upstream.hosts[0].name", "gpu0")
            .set("upstream.hosts[0].url", "10.0.0.5:11434")))
            .hasMessageContaining("upstream.hosts[0].url must be an http(s) URL with a host");
        assertThatThrownBy(() -> render(template -> template.set("upstream.hosts[0].name", "gpu0")
            .set("upstream.hosts[0].url", "http://10.0.0.5:11434")
            .set("upstream.hosts[0].max-loaded", "2")))
            // values.schema.json refuses it before the templates' own check could
            .hasMessageContaining("at '/upstream/hosts/0': additional properties 'max-loaded' not allowed");
        assertThatThrownBy(() -> render(template -> template.set("upstream.hosts[0].name", "gpu0")
            .set("upstream.hosts[0].url", "http://10.0.0.5:11434")
            .set("upstream.hosts[0].maxLoaded", "0")))
            .hasMessageContaining("upstream.hosts[0].maxLoaded must be a whole number of at least 1");
        assertThatThrownBy(() -> render(template -> template.set("upstream.hosts[0]", "http://10.0.0.5:11434")))
            .hasMessageContaining("at '/upstream/hosts/0': got string, want object");
        assertThatThrownBy(() -> render(template -> template.set("upstream.discovery.dns", "ollama-headless")
            .set("upstream.discovery.scheme", "ftp")))
            .hasMessageContaining("at '/upstream/discovery/scheme': value must be one of 'http', 'https'");
    }

    /**
     * examples/fleet-values.yaml in front of examples/ollama-statefulset.yaml: discovery
     * resolves that headless Service's cluster DNS name on its port, and several keepwarm
     * pods share the fleet.
     */
    @Test
    void fleetExampleDiscoversTheStatefulSetsHeadlessServiceWithSeveralReplicas() {
        List<Map<String, Object>> ollama = Manifests
            .parse(ProjectFiles.read("helm/keepwarm/examples/ollama-statefulset.yaml"))
            .objects();
        Map<String, Object> headless = ollama.stream()
            .filter(o -> "Service".equals(o.get("kind")))
            .findFirst()
            .orElseThrow();
        Map<String, Object> statefulSet = ollama.stream()
            .filter(o -> "StatefulSet".equals(o.get("kind")))
            .findFirst()
            .orElseThrow();
        assertThat(at(headless, "spec", "clusterIP")).isEqualTo("None");
        assertThat(at(statefulSet, "spec", "serviceName")).isEqualTo(at(headless, "metadata", "name"));
        assertThat(map(at(statefulSet, "spec", "template", "metadata", "labels")))
            .containsAllEntriesOf(map(at(headless, "spec", "selector")));

        Manifests manifests = render(
                template -> template.withValuesFile(ProjectFiles.path("helm/keepwarm/examples/fleet-values.yaml")));
        KeepwarmConfig config = KeepwarmConfig.of(manifests.applicationYml());

        UpstreamProperties.Discovery discovery = config.upstream().discovery();
        assertThat(discovery).isNotNull();
        assertThat(discovery.dns()).isEqualTo(
                at(headless, "metadata", "name") + "." + at(headless, "metadata", "namespace") + ".svc.cluster.local");
        assertThat(discovery.port()).isEqualTo(at(headless, "spec", "ports", 0, "port"));
        assertThat(KeepwarmConfig.of(manifests.policiesYml()).policies().models()).extracting(ModelRule::replicas)
            .containsExactly(new Replicas(2), Replicas.ALL);
        assertThat((Integer) at(manifests.only("HorizontalPodAutoscaler"), "spec", "minReplicas")).isGreaterThan(1);
        assertThat(manifests.kinds()).contains("PodDisruptionBudget");
        // the anti-affinity selects keepwarm's own pods, as rendered for release kw
        Map<String, Object> podLabels = map(at(manifests.only("Deployment"), "spec", "template", "metadata", "labels"));
        assertThat(podLabels).containsAllEntriesOf(map(at(manifests.podSpec(), "affinity", "podAntiAffinity",
                "preferredDuringSchedulingIgnoredDuringExecution", 0, "podAffinityTerm", "labelSelector",
                "matchLabels")));
    }

    @Test
    void notesNameTheFleetsHosts() {
        Release release = CHART.install()
            .withName("kw")
            .withNamespace("llm")
            .withKubeVersion(HelmRender.KUBE_VERSION)
            .set("upstream.hosts[0].name", "gpu0")
            .set("upstream.hosts[0].url", "http://10.0.0.5:11434")
            .set("upstream.discovery.dns", "ollama-headless.llm.svc.cluster.local")
            .clientOnly()
            .dryRun()
            .call();

        assertThat(release.getOutput())
            .contains("routes over a fleet of Ollama hosts: hosts gpu0 (http://10.0.0.5:11434); "
                    + "and every address of ollama-headless.llm.svc.cluster.local, port 11434")
            .doesNotContain("http://ollama:11434");
    }

    @Test
    void schedulingValuesReachThePod() {
        Manifests manifests = render(template -> template.set("nodeSelector.kubernetes\\.io/os", "linux")
            .set("tolerations[0].key", "dedicated")
            .set("tolerations[0].operator", "Exists")
            .set("resources.limits.memory", "1Gi")
            .set("image.repository", "registry.example/keepwarm")
            .set("image.tag", "1.2.3"));

        assertThat(manifests.podSpec().get("nodeSelector")).isEqualTo(Map.of("kubernetes.io/os", "linux"));
        assertThat(manifests.podSpec().get("tolerations"))
            .isEqualTo(List.of(Map.of("key", "dedicated", "operator", "Exists")));
        assertThat(at(manifests.container(), "resources", "limits", "memory")).isEqualTo("1Gi");
        assertThat(manifests.container().get("image")).isEqualTo("registry.example/keepwarm:1.2.3");
    }

}
