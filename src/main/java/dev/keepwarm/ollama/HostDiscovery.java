package dev.keepwarm.ollama;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Resolves {@code keepwarm.upstream.discovery.dns}: each address is an Ollama host (a
 * Kubernetes headless Service lists one per ready pod). The warmer runs it every refresh.
 * A failed lookup keeps the hosts known so far: a DNS hiccup must not empty the fleet.
 * The lookup blocks, so it runs on the bounded-elastic scheduler.
 */
public final class HostDiscovery {

    private static final Logger log = LoggerFactory.getLogger(HostDiscovery.class);

    /** Looks a name up; {@link InetAddress#getAllByName} outside tests. */
    interface Resolver {

        List<InetAddress> resolve(String name) throws UnknownHostException;

    }

    private final OllamaHosts hosts;

    private final UpstreamProperties.Discovery discovery;

    private final Resolver resolver;

    private volatile boolean failing;

    HostDiscovery(OllamaHosts hosts, UpstreamProperties.Discovery discovery, Resolver resolver) {
        this.hosts = hosts;
        this.discovery = discovery;
        this.resolver = resolver;
    }

    static Resolver dns() {
        return name -> Arrays.asList(InetAddress.getAllByName(name));
    }

    /** One lookup, applied to the hosts; never fails. */
    public Mono<Void> refresh() {
        return Mono.fromCallable(() -> resolver.resolve(discovery.dns()))
            .subscribeOn(Schedulers.boundedElastic())
            .doOnNext(addresses -> {
                if (failing) {
                    failing = false;
                    log.info("DNS discovery resolves {} again", discovery.dns());
                }
                hosts.discovered(addresses, discovery);
            })
            .onErrorResume(error -> {
                if (!failing) {
                    failing = true;
                    log.warn("DNS discovery cannot resolve {} ({}); keeping the {} hosts known so far", discovery.dns(),
                            error.toString(), hosts.all().size());
                }
                return Mono.empty();
            })
            .then();
    }

    /** How often DNS is asked again. */
    public Duration refreshInterval() {
        return discovery.refresh();
    }

}
