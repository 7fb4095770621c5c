package dev.keepwarm.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

import dev.keepwarm.fake.FakeOllama;

import org.springframework.http.MediaType;

import static dev.keepwarm.packaging.ProjectFiles.list;
import static dev.keepwarm.packaging.ProjectFiles.map;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * helm/keepwarm/ci/*-values.yaml, the configurations chart-testing (ct install) deploys:
 * each renders, and keepwarm starts on exactly what it renders, answers a proxied request
 * through the fake Ollamas standing in for the Ollama URLs, and passes the helm test
 * pod's script.
 */
class HelmCiValuesTest {

    private static final Path CI = ProjectFiles.path("helm/keepwarm/ci");

    /** The keys of ci/auth-values.yaml's hashes, as its comment says. */
    private static final String CI_KEY = "kw-ci-key-0d9f";

    @TempDir
    Path dir;

    static Stream<String> ciValues() throws IOException {
        try (Stream<Path> files = Files.list(CI)) {
            return files.map(file -> file.getFileName().toString())
                .filter(name -> name.endsWith("-values.yaml"))
                .sorted()
                .toList()
                .stream();
        }
    }

    @Test
    void ciCoversTheConfigurationsThatMatter() throws IOException {
        assertThat(ciValues()).contains("default-values.yaml", "fleet-values.yaml", "auth-values.yaml",
                "adaptive-values.yaml", "networkpolicy-values.yaml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ciValues")
    void keepwarmStartsOnTheRenderedConfigAndPassesTheHelmTest(String file) {
        Map<String, Object> values = map(new Yaml().load(ProjectFiles.read(CI.resolve(file))));
        List<FakeOllama> fakes = IntStream.range(0, Math.max(1, hosts(values).size()))
            .mapToObj(i -> FakeOllama.start().withModel("llama3.2:1b").withModel("nomic-embed-text"))
            .toList();
        try {
            Path valuesFile = HelmRender.valuesFile(dir, new Yaml().dump(pointedAt(values, fakes)));
            Manifests manifests = HelmRender.render(template -> template.withValuesFile(valuesFile));
            ContainerRun container = ContainerRun.ofHelm(manifests, dir.resolve("container"));
            Map<String, Object> testPod = HelmRender
                .renderTestHooks(dir.resolve("hooks"), template -> template.withValuesFile(valuesFile))
                .only("Pod");

            try (RunningKeepwarm keepwarm = RunningKeepwarm.start(container.environment(),
                    RunningKeepwarm.randomPorts())) {
                keepwarm.proxy()
                    .post()
                    .uri("/api/generate")
                    .contentType(MediaType.APPLICATION_JSON)
                    .headers(headers -> headers.setBearerAuth(CI_KEY))
                    .bodyValue("{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\",\"stream\":false}")
                    .exchange()
                    .expectStatus()
                    .isOk();
                assertThat(fakes.stream().mapToInt(fake -> fake.received("/api/generate").size()).sum()).isPositive();

                Tools.Run helmTest = HookScript.run(testPod,
                        Map.of("http://kw-keepwarm:8081", "http://127.0.0.1:" + keepwarm.managementPort(),
                                "http://kw-keepwarm:8080", "http://127.0.0.1:" + keepwarm.proxyPort()),
                        Map.of());
                assertThat(helmTest.exitCode()).as(helmTest.output()).isZero();
            }
        }
        finally {
            fakes.forEach(FakeOllama::close);
        }
    }

    private static List<Object> hosts(Map<String, Object> values) {
        Object upstream = values.get("upstream");
        return upstream == null || map(upstream).get("hosts") == null ? List.of() : list(map(upstream).get("hosts"));
    }

    /**
     * The values with every Ollama URL a fake's: upstream.url, or each of upstream.hosts
     * in turn (names, memory and maxLoaded kept).
     */
    private static Map<String, Object> pointedAt(Map<String, Object> values, List<FakeOllama> fakes) {
        Map<String, Object> upstream = values.get("upstream") == null ? new java.util.LinkedHashMap<>()
                : map(values.get("upstream"));
        List<Object> hosts = hosts(values);
        if (hosts.isEmpty()) {
            upstream.put("url", fakes.get(0).url().toString());
        }
        else {
            List<Object> pointed = new ArrayList<>();
            for (int i = 0; i < hosts.size(); i++) {
                Map<String, Object> host = new java.util.LinkedHashMap<>(map(hosts.get(i)));
                host.put("url", fakes.get(i).url().toString());
                pointed.add(host);
            }
            upstream.put("hosts", pointed);
        }
        values.put("upstream", upstream);
        return values;
    }

}
