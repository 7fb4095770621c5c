package dev.keepwarm.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;

import dev.keepwarm.ollama.UpstreamProperties;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.Mode;
import dev.keepwarm.policy.PolicyProperties;
import dev.keepwarm.warmer.AdaptiveProperties;
import dev.keepwarm.warmer.WarmerProperties;
import dev.keepwarm.access.SecurityProperties;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.io.ByteArrayResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application.yml shipped by the packaging, bound the way Spring Boot binds it at
 * start-up: loaded by {@link YamlPropertySourceLoader}, bound by {@link Binder} to the
 * application's own properties records (whose constructors check the values), then
 * validated like {@code @Validated} does.
 */
final class KeepwarmConfig {

    private final Binder binder;

    private KeepwarmConfig(Binder binder) {
        this.binder = binder;
    }

    static KeepwarmConfig of(String applicationYml) {
        try {
            var sources = new YamlPropertySourceLoader().load("application.yml",
                    new ByteArrayResource(applicationYml.getBytes(StandardCharsets.UTF_8)));
            return new KeepwarmConfig(new Binder(ConfigurationPropertySources.from(sources)));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    PolicyProperties policies() {
        return valid(binder.bind("keepwarm.policy", PolicyProperties.class).get());
    }

    UpstreamProperties upstream() {
        return valid(binder.bind("keepwarm.upstream", UpstreamProperties.class).get());
    }

    SecurityProperties security() {
        return valid(binder.bind("keepwarm.security", SecurityProperties.class).get());
    }

    AdaptiveProperties adaptive() {
        return valid(binder.bindOrCreate("keepwarm.adaptive", AdaptiveProperties.class));
    }

    WarmerProperties warmer() {
        return valid(binder.bind("keepwarm.warmer", WarmerProperties.class).get());
    }

    /**
     * The example shipped with Compose and the chart: llama3.2:1b pinned forever and
     * warm, others 10m fill.
     */
    static void assertExamplePolicies(PolicyProperties policies) {
        assertThat(policies.defaultPolicy()).isNotNull();
        assertThat(policies.defaultPolicy().keepAlive()).isEqualTo(KeepAlive.of(Duration.ofMinutes(10)));
        assertThat(policies.defaultPolicy().mode()).isEqualTo(Mode.FILL);
        assertThat(policies.models()).singleElement().satisfies(rule -> {
            assertThat(rule.match()).isEqualTo("llama3.2:1b");
            assertThat(rule.keepAlive()).isEqualTo(KeepAlive.FOREVER);
            assertThat(rule.mode()).isEqualTo(Mode.OVERRIDE);
            assertThat(rule.warm()).isTrue();
            assertThat(rule.allowUnload()).isFalse();
        });
    }

    private static <T> T valid(T properties) {
        try (ValidatorFactory factory = Validation.buildDefaultValidatorFactory()) {
            Set<ConstraintViolation<T>> violations = factory.getValidator().validate(properties);
            assertThat(violations).as("constraint violations").isEmpty();
        }
        return properties;
    }

}
