package dev.keepwarm.metrics;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * keepwarm's own meters ({@code keepwarm.metrics}).
 *
 * @param coldStartThreshold a client request whose load_duration is at least this long
 * counts as a cold start
 * @param maxModelTags most distinct values of the {@code model} tag; models beyond it,
 * and models no rule names and /api/ps never listed, are tagged {@code other}
 */
@ConfigurationProperties("keepwarm.metrics")
@Validated
public record MetricsProperties(@DefaultValue("500ms") @NotNull Duration coldStartThreshold,
        @DefaultValue("100") @Positive int maxModelTags) {
}
