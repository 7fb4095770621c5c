package dev.keepwarm.ollama;

import java.net.URI;

import reactor.netty.http.client.HttpClient;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * The connection to Ollama shared by the proxy and the warmer: one Reactor Netty client
 * on one pool, seen by the warmer as a WebClient and by the proxy as itself (the proxy
 * relays bytes and needs nothing WebClient adds), and the configured URL.
 */
public final class OllamaConnection {

    private final HttpClient http;

    private final WebClient client;

    private final UpstreamProperties properties;

    OllamaConnection(HttpClient http, WebClient client, UpstreamProperties properties) {
        this.http = http;
        this.client = client;
        this.properties = properties;
    }

    /**
     * The WebClient of the warmer's JSON calls: one connection per call, never pooled, so
     * a call that Ollama never answers and keepwarm cuts off leaves no half-used
     * connection for the next call to queue behind.
     */
    public WebClient client() {
        return client;
    }

    /** The same pool without WebClient: the proxy's byte relay. */
    public HttpClient http() {
        return http;
    }

    public UpstreamProperties properties() {
        return properties;
    }

    /**
     * The upstream URL of a path with its raw query, e.g. {@code /api/ps} or
     * {@code /api/tags?x=1}.
     */
    public URI uri(String rawPathAndQuery) {
        return URI.create(properties.base() + rawPathAndQuery);
    }

}
