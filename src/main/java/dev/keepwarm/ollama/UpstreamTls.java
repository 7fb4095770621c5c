package dev.keepwarm.ollama;

import java.util.List;
import java.util.function.UnaryOperator;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslOptions;

/**
 * TLS to Ollama ({@code keepwarm.upstream.ssl-bundle}): the bundle's key and trust
 * managers, protocols and ciphers in a Netty client SslContext on the one upstream
 * HttpClient, so the proxy, the warmer and every host, discovered ones included, use it.
 * Reactor Netty uses it for https URLs only (a request to an http host has no TLS) and
 * verifies Ollama's host name ({@code HttpClient.secure} sets HTTPS endpoint
 * identification). Key material is read at start-up and, when a bundle with
 * {@code reload-on-update} changes, on Boot's bundle watcher thread: never on an event
 * loop.
 */
final class UpstreamTls {

    private static final Logger log = LoggerFactory.getLogger(UpstreamTls.class);

    private static final String PROPERTY = "keepwarm.upstream.ssl-bundle";

    private UpstreamTls() {
    }

    /**
     * What makes a client use the bundle's TLS (the same context for every client it is
     * applied to), or leaves it as it is when no bundle is set.
     */
    static UnaryOperator<HttpClient> of(UpstreamProperties properties, @Nullable SslBundles bundles) {
        String name = properties.sslBundle();
        if (name == null) {
            return UnaryOperator.identity();
        }
        SslBundle bundle = bundle(name, bundles);
        ReloadableSslContext context = new ReloadableSslContext(clientContext(name, bundle));
        bundles.addBundleUpdateHandler(name, updated -> reload(name, updated, context));
        log.info("TLS to Ollama's https hosts with SSL bundle '{}' ({})", name, PROPERTY);
        for (UpstreamProperties.Host host : properties.hosts()) {
            if (!UpstreamProperties.https(host.url())) {
                log.warn("Ollama host {} is {}: plain HTTP, SSL bundle '{}' does not apply to it", host.name(),
                        host.url(), name);
            }
        }
        return http -> http.secure(spec -> spec.sslContext(context));
    }

    private static SslBundle bundle(String name, @Nullable SslBundles bundles) {
        if (bundles == null) {
            throw new IllegalStateException(unknown(name, List.of()));
        }
        try {
            return bundles.getBundle(name);
        }
        catch (NoSuchSslBundleException missing) {
            throw new IllegalStateException(unknown(name, bundles.getBundleNames()), missing);
        }
    }

    private static String unknown(String name, List<String> known) {
        return PROPERTY + " names SSL bundle '" + name + "', which does not exist: configure spring.ssl.bundle.pem."
                + name + " or spring.ssl.bundle.jks." + name + " (SSL bundles configured: "
                + (known.isEmpty() ? "none" : String.join(", ", known)) + ")";
    }

    /**
     * A changed bundle replaces the context for new connections; one that cannot be used
     * leaves the last good one in place.
     */
    static void reload(String name, SslBundle updated, ReloadableSslContext context) {
        try {
            context.replace(clientContext(name, updated));
            log.info("SSL bundle '{}' ({}) reloaded: new connections to Ollama use its certificates, open ones "
                    + "keep theirs", name, PROPERTY);
        }
        catch (RuntimeException unusable) {
            log.error("SSL bundle '{}' ({}) changed but cannot be used ({}); new connections to Ollama go on with "
                    + "the certificates loaded before", name, PROPERTY, unusable.toString());
        }
    }

    /**
     * As Boot's own ReactorHttpClientBuilder applies a bundle to a Reactor Netty client.
     */
    static SslContext clientContext(String name, SslBundle bundle) {
        SslOptions options = bundle.getOptions();
        try {
            SslManagerBundle managers = bundle.getManagers();
            return SslContextBuilder.forClient()
                .keyManager(managers.getKeyManagerFactory())
                .trustManager(managers.getTrustManagerFactory())
                .ciphers(SslOptions.asSet(options.getCiphers()))
                .protocols(options.getEnabledProtocols())
                .build();
        }
        catch (SSLException | RuntimeException unusable) {
            throw new IllegalStateException(
                    PROPERTY + ": SSL bundle '" + name + "' cannot make a TLS client: " + unusable.getMessage(),
                    unusable);
        }
    }

}
