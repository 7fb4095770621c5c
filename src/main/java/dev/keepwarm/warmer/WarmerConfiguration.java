package dev.keepwarm.warmer;

import java.time.Clock;
import java.util.List;

import dev.keepwarm.ollama.HostDiscovery;
import dev.keepwarm.ollama.OllamaHosts;
import dev.keepwarm.ollama.UpstreamProperties;
import dev.keepwarm.policy.PolicySource;

import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the warmer: one {@link HostWarmer} per Ollama host, all run by one loop through
 * {@link FleetWarmer}; with {@code keepwarm.warmer.enabled=false} the state still exists
 * but nothing pings.
 */
@Configuration(proxyBeanMethods = false)
class WarmerConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    Subscriptions warmerSubscriptions() {
        return new Subscriptions();
    }

    @Bean
    @ConditionalOnProperty(name = "keepwarm.warmer.enabled", havingValue = "true", matchIfMissing = true)
    WarmerLoop warmerLoop(ObjectProvider<FleetWarmer> fleet, WarmerProperties properties, PolicySource policies,
            Clock clock, Subscriptions owner) {
        WarmerLoop loop = new WarmerLoop(() -> fleet.getObject().pass(), properties.interval(),
                new WarmTargets(policies), clock, owner);
        // newly warm models are preloaded at once
        policies.addListener(changed -> loop.reconcileNow());
        return loop;
    }

    @Bean
    LazyPingListeners pingListeners(ObjectProvider<PingListener> listeners) {
        return new LazyPingListeners(listeners);
    }

    @Bean
    FleetWarmer fleetWarmer(OllamaHosts hosts, PolicySource policies, WarmerProperties properties, Clock clock,
            Subscriptions owner, LazyPingListeners listeners, ObjectProvider<WarmerLoop> loop) {
        // the meters listen to pings and read the fleet's state: found once both exist
        List<PingListener> pingListeners = List.of(listeners.listener());
        WarmerLoop running = loop.getIfAvailable();
        return new FleetWarmer(hosts,
                host -> HostWarmer.build(host, policies, properties, clock, owner, pingListeners, running,
                        hosts.fleet() ? "Ollama host " + host.name() : "Ollama"),
                clock, properties.psTimeoutOrDefault());
    }

    /** Where the proxy sends a request for a model. */
    @Bean
    FleetRouter fleetRouter(FleetWarmer fleet) {
        return new FleetRouter(fleet);
    }

    /**
     * Adaptive mode's learner: the proxy asks it for the keep_alive of every request in
     * mode adaptive; its pre-warms are warmer pings.
     */
    @Bean
    KeepAliveLearner keepAliveLearner(AdaptiveProperties properties, Clock clock, FleetWarmer fleet, FleetRouter router,
            Subscriptions owner, ObjectProvider<ClockTimer> timer) {
        return new KeepAliveLearner(properties, clock, new FleetPrewarms(fleet, router, owner, clock,
                timer.getIfAvailable(() -> ClockTimer.of(clock, Schedulers.parallel()))), fleet::residentBytes);
    }

    /**
     * Learned histories kept across restarts, when keepwarm.adaptive.state-file is set.
     */
    @Bean
    @ConditionalOnProperty("keepwarm.adaptive.state-file")
    AdaptiveStateFile adaptiveStateFile(AdaptiveProperties properties, KeepAliveLearner learner, Subscriptions owner) {
        AdaptiveStateFile file = new AdaptiveStateFile(properties.stateFile(), learner);
        file.load();
        file.start(owner, properties.stateInterval());
        return file;
    }

    /** Resolves the discovery name every refresh, while the context runs. */
    @Bean
    @ConditionalOnBean(HostDiscovery.class)
    DiscoveryLoop discoveryLoop(HostDiscovery discovery, Subscriptions owner) {
        return new DiscoveryLoop(discovery, owner);
    }

    /** The one host's warmer of a single-host keepwarm. */
    @Bean
    @ConditionalOnExpression(UpstreamProperties.SINGLE_HOST_CONDITION)
    Warmer warmer(FleetWarmer fleet) {
        return fleet.warmers().get(0).warmer();
    }

}
