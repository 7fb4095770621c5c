package dev.keepwarm.warmer;

import java.time.Clock;

import dev.keepwarm.ollama.OllamaClient;
import dev.keepwarm.policy.PolicySource;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the warmer; with {@code keepwarm.warmer.enabled=false} the state still exists but
 * nothing pings.
 */
@Configuration(proxyBeanMethods = false)
class WarmerConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    WarmState warmState() {
        return new WarmState();
    }

    @Bean
    WarmTargets warmTargets(PolicySource policies) {
        return new WarmTargets(policies);
    }

    @Bean
    ThrashTracker thrashTracker(WarmerProperties properties) {
        return new ThrashTracker(properties.thrash(), properties.interval());
    }

    @Bean
    Subscriptions warmerSubscriptions() {
        return new Subscriptions();
    }

    @Bean
    StallDetector stallDetector(WarmState state, WarmerProperties properties) {
        return new StallDetector(state, properties.interval());
    }

    @Bean
    Pings pings(Pinger pinger, Subscriptions owner, Clock clock) {
        return new Pings(pinger, owner, clock);
    }

    @Bean
    FreshPs freshPs(Reconciler reconciler, WarmState state, Clock clock) {
        return new FreshPs(reconciler, state, clock);
    }

    @Bean
    Pinger pinger(OllamaClient ollama, WarmState state, ThrashTracker thrash, Clock clock, WarmerProperties properties,
            ObjectProvider<PingListener> listeners) {
        return new Pinger(ollama, state, thrash, clock, properties.pingTimeout(), listeners.orderedStream().toList());
    }

    @Bean
    Reconciler reconciler(OllamaClient ollama, WarmTargets targets, WarmState state, Pings pings, Pinger pinger,
            ThrashTracker thrash, StallDetector stalls, Clock clock, WarmerProperties properties) {
        return new Reconciler(ollama, targets, state, pings, pinger, thrash, stalls, clock, properties);
    }

    @Bean
    @ConditionalOnProperty(name = "keepwarm.warmer.enabled", havingValue = "true", matchIfMissing = true)
    WarmerLoop warmerLoop(Reconciler reconciler, WarmerProperties properties, WarmTargets targets, Clock clock,
            PolicySource policies, Subscriptions owner) {
        WarmerLoop loop = new WarmerLoop(reconciler, properties.interval(), targets, clock, owner);
        // newly warm models are preloaded at once
        policies.addListener(changed -> loop.reconcileNow());
        return loop;
    }

    @Bean
    Warmer warmer(WarmTargets targets, WarmState state, Pings pings, FreshPs freshPs, StallDetector stalls,
            Subscriptions owner, ObjectProvider<WarmerLoop> loop, Clock clock, WarmerProperties properties) {
        return new Warmer(targets, state, pings, freshPs, stalls, owner, loop.getIfAvailable(), clock,
                properties.interval());
    }

}
