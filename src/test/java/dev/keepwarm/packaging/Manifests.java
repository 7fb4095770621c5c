package dev.keepwarm.packaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/** The Kubernetes objects of a {@code helm template} output. */
record Manifests(List<Map<String, Object>> objects) {

    static Manifests parse(String rendered) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml().loadAll(rendered)) {
            if (document != null) {
                objects.add(ProjectFiles.map(document));
            }
        }
        return new Manifests(List.copyOf(objects));
    }

    List<String> kinds() {
        return objects.stream().map(object -> (String) object.get("kind")).toList();
    }

    /** The one object of this kind. */
    Map<String, Object> only(String kind) {
        List<Map<String, Object>> matching = objects.stream()
            .filter(object -> kind.equals(object.get("kind")))
            .toList();
        assertThat(matching).as("objects of kind %s", kind).hasSize(1);
        return matching.get(0);
    }

    Map<String, Object> podSpec() {
        return ProjectFiles.map(ProjectFiles.at(only("Deployment"), "spec", "template", "spec"));
    }

    Map<String, Object> container() {
        return ProjectFiles.map(ProjectFiles.at(podSpec(), "containers", 0));
    }

    /** The object of this kind and name. */
    Map<String, Object> named(String kind, String name) {
        return objects.stream()
            .filter(object -> kind.equals(object.get("kind"))
                    && name.equals(ProjectFiles.at(object, "metadata", "name")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }

    /** The application.yml the ConfigMap kw-keepwarm mounts at /config. */
    String applicationYml() {
        return (String) ProjectFiles.at(named("ConfigMap", "kw-keepwarm"), "data", "application.yml");
    }

    /**
     * The keepwarm.policy-file of the ConfigMap kw-keepwarm-policies, shaped like
     * application.yml (keepwarm.policy).
     */
    String policiesYml() {
        return (String) ProjectFiles.at(named("ConfigMap", "kw-keepwarm-policies"), "data", "policies.yml");
    }

    String podAnnotation(String name) {
        return (String) ProjectFiles.at(only("Deployment"), "spec", "template", "metadata", "annotations", name);
    }
}
