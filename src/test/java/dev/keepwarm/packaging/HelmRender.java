package dev.keepwarm.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

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

    static Path valuesFile(Path dir, String valuesYaml) {
        try {
            return Files.writeString(Files.createTempFile(dir, "values", ".yaml"), valuesYaml);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

}
