package dev.keepwarm.ollama;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowSynchronizationStrategy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.common.circuitbreaker.configuration.CircuitBreakerConfigCustomizer;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryRegistry;
import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/** The upstream connection and the typed Ollama client. */
@Configuration(proxyBeanMethods = false)
class OllamaConfiguration {

    /**
     * Name of the Resilience4j circuit breaker and retry that guard the warmer's calls.
     */
    static final String RESILIENCE_NAME = "ollama";

    @Bean
    OllamaConnection upstream(UpstreamProperties properties, ObjectProvider<SslBundles> sslBundles) {
        DroppedErrors.install();
        ConnectionProvider pool = ConnectionProvider.builder("ollama")
            .maxConnections(properties.maxConnections())
            .pendingAcquireMaxCount(-1)
            // a queued request waits as long as a stream may be silent, never less than a
            // model load
            .pendingAcquireTimeout(properties.idleTimeout())
            // reactor_netty_connection_provider_* gauges, tagged by pool name and
            // Ollama's address (bounded):
            // Reactor Netty registers them in Micrometer's global registry, which Boot
            // adds its registry to
            .metrics(true)
            .build();
        // TLS for https hosts (keepwarm.upstream.ssl-bundle): one context for both
        // clients
        UnaryOperator<HttpClient> tls = UpstreamTls.of(properties, sslBundles.getIfAvailable());
        UnaryOperator<HttpClient> settings = client -> tls
            .apply(client.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis())
                .option(ChannelOption.SO_KEEPALIVE, true)
                .compress(false));
        HttpClient http = settings.apply(HttpClient.create(pool));
        // The warmer's calls are a few per interval and may hang (Ollama #15950): each
        // gets a connection of its own,
        // closed when it ends or is cut, so a call Ollama never answered cannot leave a
        // pooled connection behind it. HttpClient.newConnection() is a static factory
        // (a new client with none of the settings above), so they are applied again.
        HttpClient ownConnections = settings.apply(HttpClient.newConnection());
        return new OllamaConnection(http,
                WebClient.builder().clientConnector(new ReactorClientHttpConnector(ownConnections)).build(),
                properties);
    }

    /**
     * The breaker records every warmer call on an event loop, so it keeps its outcomes in
     * Resilience4j's lock-free sliding window: the default synchronized one takes a lock
     * that parks an event-loop thread when two calls end at once (BlockHound caught it,
     * resilience4j#2151). Settings under
     * {@code resilience4j.circuitbreaker.instances.ollama} apply as before.
     */
    @Bean
    CircuitBreakerConfigCustomizer lockFreeOllamaBreaker() {
        return CircuitBreakerConfigCustomizer.of(RESILIENCE_NAME, builder -> builder
            .slidingWindowSynchronizationStrategy(SlidingWindowSynchronizationStrategy.LOCK_FREE));
    }

    /**
     * The hosts: the one Ollama at {@code url} (its breaker and retry are "ollama"), or
     * every configured host with a breaker of its own, "ollama-&lt;name&gt;", configured
     * as "ollama" is; discovered hosts join through {@link HostDiscovery}.
     */
    @Bean
    OllamaHosts ollamaHosts(OllamaConnection upstream, UpstreamProperties properties, CircuitBreakerRegistry breakers,
            RetryRegistry retries) {
        Retry retry = retries.retry(RESILIENCE_NAME);
        if (!properties.fleet()) {
            OllamaClient client = new OllamaClient(upstream, breakers.circuitBreaker(RESILIENCE_NAME), retry);
            OllamaHost host = new OllamaHost(UpstreamProperties.DEFAULT_HOST, upstream, client, OptionalLong.empty(),
                    Integer.MAX_VALUE, false);
            return new OllamaHosts(false, List.of(host), upstream, (name, connection) -> client, name -> {
            });
        }
        CircuitBreakerConfig perHost = breakers.circuitBreaker(RESILIENCE_NAME).getCircuitBreakerConfig();
        // the template is no host's: no meters for a breaker nothing uses
        breakers.remove(RESILIENCE_NAME);
        BiFunction<String, OllamaConnection, OllamaClient> clients = (name, connection) -> new OllamaClient(connection,
                breakers.circuitBreaker(breakerName(name), perHost), retry);
        List<OllamaHost> configured = new ArrayList<>();
        for (UpstreamProperties.Host host : properties.hosts()) {
            OllamaConnection connection = upstream.at(host.url());
            OllamaClient client = new OllamaClient(connection,
                    breakers.circuitBreaker(breakerName(host.name()), perHost), retry);
            configured.add(new OllamaHost(host.name(), connection, client,
                    host.memory() != null ? OptionalLong.of(host.memory().toBytes()) : OptionalLong.empty(),
                    host.maxLoaded(), false));
        }
        return new OllamaHosts(true, configured, upstream, clients, name -> breakers.remove(breakerName(name)));
    }

    /** Hosts from DNS, when {@code keepwarm.upstream.discovery} is set. */
    @Bean
    @ConditionalOnProperty(name = "keepwarm.upstream.discovery.dns")
    HostDiscovery hostDiscovery(OllamaHosts hosts, UpstreamProperties properties) {
        return new HostDiscovery(hosts, java.util.Objects.requireNonNull(properties.discovery()), HostDiscovery.dns());
    }

    /** The circuit breaker of a fleet's host. */
    static String breakerName(String host) {
        return RESILIENCE_NAME + "-" + host;
    }

}
