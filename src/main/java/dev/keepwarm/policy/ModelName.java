package dev.keepwarm.policy;

import java.util.Locale;

/**
 * Model names compared the way Ollama does: case-insensitive, the default registry and
 * namespace implied, and {@code name} equal to {@code name:latest}.
 */
public final class ModelName {

    private static final String DEFAULT_REGISTRY = "registry.ollama.ai/";

    private static final String DEFAULT_NAMESPACE = "library/";

    private ModelName() {
    }

    /**
     * {@code Llama3.2} -> {@code llama3.2:latest};
     * {@code registry.ollama.ai/library/qwen3:8b} -> {@code qwen3:8b}.
     */
    public static String normalize(String name) {
        String n = withoutDefaults(name.strip().toLowerCase(Locale.ROOT));
        return hasTag(n) ? n : n + ":latest";
    }

    /**
     * Drops the default registry and namespace, which Ollama fills in for short names.
     */
    static String withoutDefaults(String lowerCaseName) {
        String n = lowerCaseName;
        if (n.startsWith(DEFAULT_REGISTRY)) {
            n = n.substring(DEFAULT_REGISTRY.length());
        }
        if (n.startsWith(DEFAULT_NAMESPACE)) {
            n = n.substring(DEFAULT_NAMESPACE.length());
        }
        return n;
    }

    /**
     * Whether the last path segment carries a ":tag" (a registry host's ":port" does not
     * count).
     */
    static boolean hasTag(String name) {
        return name.lastIndexOf(':') > name.lastIndexOf('/');
    }

    /** The name without its tag. */
    static String base(String normalized) {
        return hasTag(normalized) ? normalized.substring(0, normalized.lastIndexOf(':')) : normalized;
    }

}
