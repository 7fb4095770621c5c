package dev.keepwarm.actuator;

import java.time.Clock;

import dev.keepwarm.ollama.OllamaClient;
import dev.keepwarm.ollama.UpstreamProperties;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.WarmState;
import dev.keepwarm.warmer.Warmer;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The actuator endpoint and health contributors (all on the management port). */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    @Bean
    KeepwarmEndpoint keepwarmEndpoint(Warmer warmer, PolicySource policies, OllamaClient ollama,
            UpstreamProperties upstream, MeterRegistry registry, Clock clock) {
        return new KeepwarmEndpoint(warmer, policies, ollama, upstream, registry, clock);
    }

    @Bean
    KeepwarmHealth keepwarmHealthIndicator(PolicySource policies, WarmState state, Clock clock) {
        return new KeepwarmHealth(policies, state, clock);
    }

    @Bean
    OllamaHealth ollamaHealthIndicator(OllamaClient ollama, UpstreamProperties upstream, WarmState state) {
        return new OllamaHealth(ollama, upstream, state);
    }

}
