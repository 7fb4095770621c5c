package dev.keepwarm.proxy;

import java.time.Duration;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxy's bulkhead comes from Resilience4j's registry (so its meters are published
 * and resilience4j.bulkhead.instances.ollama-proxy applies), with
 * keepwarm.proxy.max-concurrent as its limit.
 */
class ProxyBulkheadTest {

    private final BulkheadRegistry registry = BulkheadRegistry.ofDefaults();

    @Test
    void maxConcurrentCreatesTheRegistrysBulkheadThatRefusesAtOnce() {
        Bulkhead bulkhead = ProxyConfiguration.bulkhead(proxy(2), registry);

        assertThat(registry.find("ollama-proxy")).containsSame(bulkhead);
        assertThat(bulkhead.getBulkheadConfig().getMaxConcurrentCalls()).isEqualTo(2);
        assertThat(bulkhead.getBulkheadConfig().getMaxWaitDuration()).isZero();
    }

    @Test
    void configuredInstanceKeepsItsSettingsAndMaxConcurrentSetsItsLimit() {
        Bulkhead configured = registry.bulkhead("ollama-proxy",
                // what the Boot starter makes of instances.*
                BulkheadConfig.custom().maxConcurrentCalls(7).maxWaitDuration(Duration.ofMillis(100)).build());

        Bulkhead bulkhead = ProxyConfiguration.bulkhead(proxy(2), registry);

        assertThat(bulkhead).isSameAs(configured);
        assertThat(bulkhead.getBulkheadConfig().getMaxConcurrentCalls()).isEqualTo(2);
        assertThat(bulkhead.getBulkheadConfig().getMaxWaitDuration()).isEqualTo(Duration.ofMillis(100));
        assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(2);
    }

    @Test
    void configuredInstanceAloneCapsTheProxy() {
        Bulkhead configured = registry.bulkhead("ollama-proxy", BulkheadConfig.custom().maxConcurrentCalls(7).build());

        assertThat(ProxyConfiguration.bulkhead(proxy(null), registry)).isSameAs(configured);
    }

    @Test
    void neitherSetMeansNoBulkhead() {
        assertThat(ProxyConfiguration.bulkhead(proxy(null), registry)).isNull();
        assertThat(registry.getAllBulkheads()).isEmpty();
    }

    private static ProxyProperties proxy(Integer maxConcurrent) {
        return new ProxyProperties(DataSize.ofMegabytes(64), maxConcurrent, java.util.List.of());
    }

}
