package dev.keepwarm.policy;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Exposes the configured policies as one bean the proxy (and later the warmer) reads. */
@Configuration(proxyBeanMethods = false)
class PolicyConfiguration {

    @Bean
    Policies policies(PolicyProperties properties) {
        return new Policies(properties);
    }
}
