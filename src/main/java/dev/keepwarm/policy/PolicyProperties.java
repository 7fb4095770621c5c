package dev.keepwarm.policy;

import java.util.List;

import jakarta.validation.Valid;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;
import org.springframework.validation.annotation.Validated;

/**
 * Per-model keep-alive policies ({@code keepwarm.policy}).
 *
 * @param defaultPolicy policy for models no rule matches; omitted, their requests pass
 * through unchanged
 * @param models per-model rules, first match wins
 */
@ConfigurationProperties("keepwarm.policy")
@Validated
public record PolicyProperties(
        @Name("default") @Valid @NestedConfigurationProperty @Nullable DefaultPolicy defaultPolicy,
        @Valid @DefaultValue List<ModelRule> models) {

    public PolicyProperties {
        models = models == null ? List.of() : List.copyOf(models);
    }
}
