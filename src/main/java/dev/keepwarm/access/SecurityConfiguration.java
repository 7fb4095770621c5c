package dev.keepwarm.access;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.OperationFilter;
import org.springframework.boot.actuate.endpoint.web.WebOperation;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The proxy port's access gate, and the switch that leaves /actuator/keepwarm read-only.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    private static final EndpointId KEEPWARM = EndpointId.of("keepwarm");

    @Bean
    ProxyAccess proxyAccess(SecurityProperties security, MeterRegistry registry) {
        KeyRing keys = new KeyRing(security.apiKeys());
        if (keys.isEmpty()) {
            log.info(
                    "Proxy port: no API keys configured, every client that reaches it may use Ollama; admin routes: {}",
                    security.adminRoutes().tag());
        }
        else {
            log.info("Proxy port: API key required (keys: {}); admin routes: {}", String.join(", ", keys.names()),
                    security.adminRoutes().tag());
        }
        return new ProxyAccess(new AccessPolicy(keys, security.adminRoutes()), new AuthMetrics(registry, keys.names()));
    }

    /**
     * {@code keepwarm.security.actuator-writes=false} caps the keepwarm endpoint at
     * Boot's own {@link Access#READ_ONLY}: its write operations are not mapped at all, as
     * with {@code management.endpoint.keepwarm.access=read-only}. Boot applies every such
     * filter, so this one can only take access away, never grant what the management
     * properties refuse.
     */
    @Bean
    OperationFilter<WebOperation> keepwarmEndpointWrites(SecurityProperties security) {
        Access keepwarm = security.actuatorWrites() ? Access.UNRESTRICTED : Access.READ_ONLY;
        return OperationFilter.byAccess((id, defaultAccess) -> KEEPWARM.equals(id) ? keepwarm : Access.UNRESTRICTED);
    }

}
