package dev.keepwarm.proxy;

import java.util.Optional;

import org.springframework.http.HttpMethod;

/**
 * The native routes whose body carries keep_alive (OLLAMA-API.md, "keep_alive in a
 * request body"), with the field that makes a request empty: no prompt, messages or input
 * plus keep_alive 0 is an explicit unload.
 */
enum KeepAliveRoute {

    GENERATE("/api/generate", "prompt"), CHAT("/api/chat", "messages"), EMBED("/api/embed", "input"),
    EMBEDDINGS("/api/embeddings", "prompt");

    private final String path;

    private final String contentField;

    private final String tag;

    KeepAliveRoute(String path, String contentField) {
        this.path = path;
        this.contentField = contentField;
        this.tag = name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The endpoint's value of the {@code endpoint} metric tag. */
    String tag() {
        return tag;
    }

    String contentField() {
        return contentField;
    }

    /**
     * POST routes of the OpenAI- and Anthropic-compatible APIs: keep_alive in their
     * bodies has no effect.
     */
    private static final java.util.Set<String> DROPPING_KEEP_ALIVE = java.util.Set.of("/v1/chat/completions",
            "/v1/completions", "/v1/embeddings", "/v1/responses", "/v1/messages");

    /**
     * Whether the route is an OpenAI- or Anthropic-compatible one, which drops
     * keep_alive: its model must be made resident with the pinned keep-alive before
     * forwarding (OLLAMA-API.md, "OpenAI- and Anthropic-compatible routes drop
     * keep_alive").
     */
    static boolean dropsKeepAlive(HttpMethod method, String path) {
        return HttpMethod.POST.equals(method) && DROPPING_KEEP_ALIVE.contains(path);
    }

    /**
     * The endpoint whose body keepwarm rewrites, or empty for everything that passes
     * through unchanged.
     */
    static Optional<KeepAliveRoute> rewritable(HttpMethod method, String path) {
        if (!HttpMethod.POST.equals(method)) {
            return Optional.empty();
        }
        for (KeepAliveRoute endpoint : values()) {
            if (endpoint.path.equals(path)) {
                return Optional.of(endpoint);
            }
        }
        return Optional.empty();
    }

}
