package dev.keepwarm.metrics;

import java.time.Clock;
import java.util.Map;

import dev.keepwarm.ollama.OllamaHosts;
import dev.keepwarm.ollama.UpstreamProperties;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.FleetWarmer;
import dev.keepwarm.warmer.KeepAliveLearner;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * keepwarm's meters on the application's registry (scraped at /actuator/prometheus on the
 * management port).
 */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

    @Bean
    ModelTags modelTags(PolicySource policies, FleetWarmer fleet, KeepAliveLearner learner,
            MetricsProperties properties) {
        // a model adaptive mode learns was answered by Ollama: as known as one /api/ps
        // listed
        return new ModelTags(policies,
                name -> fleet.views().stream().anyMatch(view -> view.state().model(name).isPresent())
                        || learner.view(name).isPresent(),
                properties.maxModelTags());
    }

    @Bean
    KeepwarmMetrics keepwarmMetrics(MeterRegistry registry, ModelTags tags, PolicySource policies,
            MetricsProperties properties, FleetWarmer fleet) {
        return new KeepwarmMetrics(registry, tags, policies, properties.coldStartThreshold(), fleet.fleet());
    }

    /** Adaptive mode's keep-alives, residence and pre-warms. */
    @Bean
    AdaptiveMeters adaptiveMeters(MeterRegistry registry, KeepAliveLearner learner, ModelTags tags, FleetWarmer fleet,
            Clock clock) {
        return new AdaptiveMeters(registry, learner, tags, fleet::residentBytes, clock);
    }

    /** A fleet's placement: warm copies against wanted, per concrete warm rule. */
    @Bean
    @ConditionalOnExpression(UpstreamProperties.FLEET_CONDITION)
    PlacementMeters placementMeters(MeterRegistry registry, FleetWarmer fleet, ModelTags tags, PolicySource policies) {
        return new PlacementMeters(registry, fleet, tags, policies);
    }

    @Bean
    HostStateMeters stateMeters(MeterRegistry registry, FleetWarmer fleet, OllamaHosts hosts, ModelTags tags,
            PolicySource policies, Clock clock) {
        if (!fleet.fleet()) {
            FleetWarmer.HostView one = fleet.views().get(0);
            return new HostStateMeters(
                    Map.of(one.host().name(), new StateMeters(registry, one.state(), tags, policies, clock)));
        }
        return HostStateMeters.fleet(fleet, hosts, policies, view -> new StateMeters(registry, view.state(), tags,
                policies, clock, Tags.of("upstream", view.host().name())));
    }

}
