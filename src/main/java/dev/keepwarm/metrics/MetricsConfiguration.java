package dev.keepwarm.metrics;

import java.time.Clock;
import java.util.List;

import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.FleetWarmer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * keepwarm's meters on the application's registry (scraped at /actuator/prometheus on the
 * management port).
 */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

    @Bean
    ModelTags modelTags(PolicySource policies, FleetWarmer fleet, MetricsProperties properties) {
        return new ModelTags(policies,
                name -> fleet.views().stream().anyMatch(view -> view.state().model(name).isPresent()),
                properties.maxModelTags());
    }

    @Bean
    KeepwarmMetrics keepwarmMetrics(MeterRegistry registry, ModelTags tags, PolicySource policies,
            MetricsProperties properties) {
        return new KeepwarmMetrics(registry, tags, policies, properties.coldStartThreshold());
    }

    @Bean
    HostStateMeters stateMeters(MeterRegistry registry, FleetWarmer fleet, ModelTags tags, PolicySource policies,
            Clock clock) {
        List<StateMeters> meters = fleet.views()
            .stream()
            .map(view -> fleet.fleet()
                    ? new StateMeters(registry, view.state(), tags, policies, clock,
                            Tags.of("upstream", view.host().name()))
                    : new StateMeters(registry, view.state(), tags, policies, clock))
            .toList();
        return new HostStateMeters(meters);
    }

}
