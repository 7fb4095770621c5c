package dev.keepwarm.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

/**
 * helm/keepwarm rendered as release kw in namespace llm, the way the chart tests render
 * it.
 */
final class HelmRender {

    static final Helm CHART = new Helm(ProjectFiles.path("helm/keepwarm"));

    /**
     * The cluster version rendered for: helm-java's Helm library is built without the
     * official binary's ldflags and would assume v1.20, below the chart's kubeVersion.
     */
    static final String KUBE_VERSION = "1.30.0";

    /**
     * What the test hooks' "helm.sh/hook..." annotation keys become in
     * {@link #renderTestHooks}.
     */
    static final String HOOK_PREFIX = "rendered-by-test/helm.sh-hook";

    private HelmRender() {
    }

    static Manifests render(UnaryOperator<TemplateCommand> values) {
        return Manifests
            .parse(values.apply(CHART.template().withName("kw").withNamespace("llm").withKubeVersion(KUBE_VERSION))
                .call());
    }

    static Manifests renderDefaults() {
        return render(template -> template);
    }

    /**
     * Rendered with a values file of this YAML (a file keeps YAML's types: "300" a
     * string, 300 a number).
     */
    static Manifests renderYaml(Path dir, String valuesYaml) {
        return render(template -> template.withValuesFile(valuesFile(dir, valuesYaml)));
    }

    /**
     * The chart's test hooks (templates/tests), rendered. helm-java's template prints the
     * release manifest only, never hooks, so they are rendered from a copy of the chart
     * in {@code dir} whose hook annotation keys are renamed to {@link #HOOK_PREFIX}...:
     * Helm then renders them as plain objects, otherwise unchanged.
     */
    static Manifests renderTestHooks(Path dir, UnaryOperator<TemplateCommand> values) {
        Path copy = dir.resolve("chart");
        Path chart = ProjectFiles.path("helm/keepwarm");
        try (Stream<Path> files = Files.walk(chart)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(chart.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                }
                else if (file.startsWith(chart.resolve("templates/tests"))) {
                    Files.writeString(target, Files.readString(file).replace("\"helm.sh/hook", "\"" + HOOK_PREFIX));
                }
                else {
                    Files.copy(file, target);
                }
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        Manifests all = Manifests.parse(values
            .apply(new Helm(copy).template().withName("kw").withNamespace("llm").withKubeVersion(KUBE_VERSION))
            .call());
        return new Manifests(all.objects()
            .stream()
            .filter(object -> ProjectFiles.map(ProjectFiles.at(object, "metadata")).containsKey("annotations")
                    && ProjectFiles.map(ProjectFiles.at(object, "metadata", "annotations")).containsKey(HOOK_PREFIX))
            .toList());
    }

    /** An API key's SHA-256 as apiKeys.keys[].key-sha256 takes it. */
    static String sha256(String key) {
        try {
            return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    static Path valuesFile(Path dir, String valuesYaml) {
        try {
            return Files.writeString(Files.createTempFile(dir, "values", ".yaml"), valuesYaml);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

}
