package dev.keepwarm.ollama;

import java.net.URI;

import reactor.netty.http.client.HttpClient;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * The connection to one Ollama host shared by the proxy and the warmer: one Reactor Netty
 * client on one pool (shared by every host, a pool per address inside), seen by the
 * warmer as a WebClient and by the proxy as itself (the proxy relays bytes and needs
 * nothing WebClient adds), and the host's URL.
 */
public final class OllamaConnection {

    private final HttpClient http;

    private final WebClient client;

    private final UpstreamProperties properties;

    private final URI url;

    OllamaConnection(HttpClient http, WebClient client, UpstreamProperties properties) {
        this(http, client, properties, properties.url());
    }

    OllamaConnection(HttpClient http, WebClient client, UpstreamProperties properties, URI url) {
        this.http = http;
        this.client = client;
        this.properties = properties;
        this.url = url;
    }

    /** The same pool and settings for another host. */
    OllamaConnection at(URI url) {
        return new OllamaConnection(http, client, properties, url);
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

    /** The timeouts and pool size, shared by every host. */
    public UpstreamProperties properties() {
        return properties;
    }

    /** This host's URL. */
    public URI url() {
        return url;
    }

    /**
     * This host's URL without a trailing slash, ready to have a request path appended.
     */
    public String base() {
        return UpstreamProperties.base(url);
    }

    /** host:port as Ollama expects it in the Host header. */
    public String hostHeader() {
        return UpstreamProperties.hostHeader(url);
    }

    /**
     * The upstream URL of a path with its raw query, e.g. {@code /api/ps} or
     * {@code /api/tags?x=1}.
     */
    public URI uri(String rawPathAndQuery) {
        return URI.create(base() + rawPathAndQuery);
    }

}
