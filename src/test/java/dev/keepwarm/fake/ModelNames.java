package dev.keepwarm.fake;

import java.util.Locale;

/**
 * Model names compared like Ollama's {@code model.ParseName}: case-insensitive,
 * {@code :latest} when the last path segment has no tag, and the default host and
 * namespace ({@code registry.ollama.ai/library/}) filled in.
 */
final class ModelNames {

    private static final String DEFAULT_HOST = "registry.ollama.ai";

    private static final String DEFAULT_NAMESPACE = "library";

    private ModelNames() {
    }

    /** The key two names share when Ollama treats them as the same model. */
    static String key(String name) {
        String[] parts = withTag(name).split("/", -1);
        String qualified = switch (parts.length) {
            case 1 -> DEFAULT_HOST + "/" + DEFAULT_NAMESPACE + "/" + parts[0];
            case 2 -> DEFAULT_HOST + "/" + parts[0] + "/" + parts[1];
            default -> String.join("/", parts);
        };
        return qualified.toLowerCase(Locale.ROOT);
    }

    /**
     * The name as Ollama displays it: {@code llama3.2} becomes {@code llama3.2:latest}.
     */
    static String display(String name) {
        return withTag(name);
    }

    private static String withTag(String name) {
        String last = name.substring(name.lastIndexOf('/') + 1);
        return last.contains(":") ? name : name + ":latest";
    }

}
