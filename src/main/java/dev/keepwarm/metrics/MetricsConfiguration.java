package dev.keepwarm.metrics;

import java.time.Clock;

import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.WarmState;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * keepwarm's meters on the application's registry (scraped at /actuator/prometheus on the
 * management port).
 */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

    @Bean
    ModelTags modelTags(PolicySource policies, WarmState state, MetricsProperties properties) {
        return new ModelTags(policies, state, properties.maxModelTags());
    }

    @Bean
    KeepwarmMetrics keepwarmMetrics(MeterRegistry registry, ModelTags tags, PolicySource policies,
            MetricsProperties properties) {
        return new KeepwarmMetrics(registry, tags, policies, properties.coldStartThreshold());
    }

    @Bean
    StateMeters stateMeters(MeterRegistry registry, WarmState state, ModelTags tags, PolicySource policies,
            Clock clock) {
        return new StateMeters(registry, state, tags, policies, clock);
    }

}
