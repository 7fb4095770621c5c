package dev.keepwarm.actuator;

import java.time.Clock;

import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.FleetWarmer;
import dev.keepwarm.warmer.KeepAliveLearner;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The actuator endpoint and health contributors (all on the management port). */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    @Bean
    KeepwarmEndpoint keepwarmEndpoint(FleetWarmer fleet, PolicySource policies, MeterRegistry registry, Clock clock,
            KeepAliveLearner learner) {
        return new KeepwarmEndpoint(fleet, policies, registry, clock, learner);
    }

    @Bean
    KeepwarmHealth keepwarmHealthIndicator(PolicySource policies, FleetWarmer fleet, Clock clock) {
        return new KeepwarmHealth(policies, fleet, clock);
    }

    @Bean
    OllamaHealth ollamaHealthIndicator(FleetWarmer fleet) {
        return new OllamaHealth(fleet);
    }

}
