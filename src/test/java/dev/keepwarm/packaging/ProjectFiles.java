package dev.keepwarm.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.Yaml;

/**
 * Files of the project, read from its root (Surefire's working directory), and plain YAML
 * access.
 */
final class ProjectFiles {

    static final Path ROOT = Path.of("").toAbsolutePath();

    private ProjectFiles() {
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(String relative) {
        return read(path(relative));
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static Map<String, Object> yaml(String relative) {
        return map(new Yaml().load(read(relative)));
    }

    /**
     * The value at a path of map keys and list indexes, e.g.
     * {@code at(doc, "spec", "containers", 0)}.
     */
    static Object at(Object root, Object... path) {
        Object node = root;
        for (Object step : path) {
            if (node instanceof Map<?, ?> map) {
                node = map.get(step);
            }
            else if (node instanceof List<?> list && step instanceof Integer index && index < list.size()) {
                node = list.get(index);
            }
            else {
                throw new AssertionError("no " + step + " in " + node);
            }
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
        if (!(node instanceof Map)) {
            throw new AssertionError("expected a mapping, got " + node);
        }
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node) {
        if (!(node instanceof List)) {
            throw new AssertionError("expected a sequence, got " + node);
        }
        return (List<Object>) node;
    }

}
