package dev.keepwarm.ollama;

import java.net.URI;
import java.time.Duration;

import dev.keepwarm.policy.PositiveDuration;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where Ollama is and how long keepwarm waits for it ({@code keepwarm.upstream}).
 *
 * @param url Ollama's base URL (http or https, with host; a path prefix is kept)
 * @param connectTimeout how long to wait for a TCP connection to Ollama
 * @param responseTimeout how long to wait for Ollama's response headers; empty means no
 * limit, because a cold load of a large model can take minutes before the first byte
 * @param idleTimeout longest silence allowed between two chunks of a response once it has
 * started
 * @param maxConnections most connections to Ollama at once; every long stream holds one,
 * so keep this above the number of concurrent streams (Reactor Netty's default pool of 2
 * x cores would queue the rest)
 */
@ConfigurationProperties("keepwarm.upstream")
@Validated
public record UpstreamProperties(@DefaultValue("http://localhost:11434") @NotNull URI url,
        @DefaultValue("5s") @NotNull Duration connectTimeout, @Nullable Duration responseTimeout,
        @DefaultValue("10m") @NotNull Duration idleTimeout, @DefaultValue("1000") @Positive int maxConnections) {

    public UpstreamProperties {
        if (url != null) {
            String scheme = url.getScheme();
            if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || url.getHost() == null) {
                throw new IllegalArgumentException("keepwarm.upstream.url must be an http(s) URL with a host, such as "
                        + "http://localhost:11434, not '" + url + "'");
            }
        }
        PositiveDuration.require("keepwarm.upstream.connect-timeout", connectTimeout);
        PositiveDuration.require("keepwarm.upstream.response-timeout", responseTimeout);
        PositiveDuration.require("keepwarm.upstream.idle-timeout", idleTimeout);
    }

    /** The URL without a trailing slash, ready to have a request path appended. */
    public String base() {
        String s = url.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** host:port as Ollama expects it in the Host header. */
    public String hostHeader() {
        int port = url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
        String host = url.getHost();
        return host + ":" + port;
    }
}
