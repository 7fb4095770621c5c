package dev.keepwarm.warmer;

import java.time.Duration;
import java.util.Map;

import dev.keepwarm.adaptive.AdaptiveKeepAlive;
import dev.keepwarm.policy.DefaultPolicy;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.Mode;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/** keepwarm.adaptive as users write it, and the start-up errors of bad values. */
class AdaptivePropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withUserConfiguration(Properties.class);

    @Test
    void defaultsAreThePapersAndTheIssuesExample() {
        runner.run(context -> {
            AdaptiveProperties properties = context.getBean(AdaptiveProperties.class);
            AdaptiveKeepAlive.Settings settings = properties.settings(null);
            assertThat(settings.min()).isEqualTo(Duration.ofMinutes(1));
            assertThat(settings.max()).isEqualTo(Duration.ofHours(4));
            assertThat(settings.keepAlivePercentile()).isEqualTo(99);
            assertThat(settings.prewarmPercentile()).isEqualTo(5);
            assertThat(settings.margin()).isEqualTo(0.1);
            assertThat(settings.minSamples()).isEqualTo(10);
            assertThat(properties.memoryBudget()).isNull();
            assertThat(properties.stateFile()).isNull();
        });
    }

    @Test
    void bindsAPercentageOrAFractionAndABudget() {
        runner
            .withPropertyValues("keepwarm.adaptive.margin=25%", "keepwarm.adaptive.memory-budget=40GB",
                    "keepwarm.adaptive.state-file=/var/lib/keepwarm/adaptive.txt")
            .run(context -> {
                AdaptiveProperties properties = context.getBean(AdaptiveProperties.class);
                assertThat(properties.settings(null).margin()).isEqualTo(0.25);
                assertThat(properties.memoryBudget()).isEqualTo(DataSize.ofGigabytes(40));
            });
        runner.withPropertyValues("keepwarm.adaptive.margin=0.05")
            .run(context -> assertThat(context.getBean(AdaptiveProperties.class).settings(null).margin())
                .isEqualTo(0.05));
    }

    @Test
    void aPolicysMinAndMaxReplaceBinAndRange() {
        runner.run(context -> {
            DefaultPolicy policy = new DefaultPolicy(KeepAlive.parse("10m"), Mode.ADAPTIVE, KeepAlive.parse("5m"),
                    KeepAlive.parse("2h"), true, Map.of());
            AdaptiveKeepAlive.Settings settings = context.getBean(AdaptiveProperties.class).settings(policy);
            assertThat(settings.min()).isEqualTo(Duration.ofMinutes(5));
            assertThat(settings.max()).isEqualTo(Duration.ofHours(2));
        });
    }

    @Test
    void badValuesStopStartUpNamingTheKey() {
        assertFails("keepwarm.adaptive.margin=ten", "keepwarm.adaptive.margin: not a percentage (10%) or a fraction");
        assertFails("keepwarm.adaptive.margin=100%", "margin must be at least 0 and below 1");
        assertFails("keepwarm.adaptive.bin=7m", "keepwarm.adaptive.bin (PT7M) and range (PT4H)");
        assertFails("keepwarm.adaptive.prewarm-percentile=99.5",
                "percentiles must satisfy 0 <= prewarm (99.5) <= keep-alive (99.0) <= 100");
        assertFails("keepwarm.adaptive.min-samples=0", "keepwarm.adaptive.min-samples must be at least 1");
        assertFails("keepwarm.adaptive.bin=0s", "keepwarm.adaptive.bin");
    }

    private void assertFails(String property, String message) {
        runner.withPropertyValues(property).run(context -> {
            assertThat(context).hasFailed();
            Throwable cause = context.getStartupFailure();
            StringBuilder messages = new StringBuilder();
            for (Throwable t = cause; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
            assertThat(messages.toString()).as(property).contains(message);
        });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(AdaptiveProperties.class)
    static class Properties {

    }

}
