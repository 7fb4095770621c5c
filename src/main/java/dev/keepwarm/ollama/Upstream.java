package dev.keepwarm.ollama;

import java.net.URI;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * The connection to Ollama shared by the proxy and the warmer: one WebClient on one Reactor Netty pool, and the
 * configured URL.
 */
public final class Upstream {

    private final WebClient client;
    private final UpstreamProperties properties;

    Upstream(WebClient client, UpstreamProperties properties) {
        this.client = client;
        this.properties = properties;
    }

    public WebClient client() {
        return client;
    }

    public UpstreamProperties properties() {
        return properties;
    }

    /** The upstream URL of a path with its raw query, e.g. {@code /api/ps} or {@code /api/tags?x=1}. */
    public URI uri(String rawPathAndQuery) {
        return URI.create(properties.base() + rawPathAndQuery);
    }
}
