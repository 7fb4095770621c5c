package dev.keepwarm.policy;

import java.nio.file.Path;
import java.util.Objects;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;
import org.springframework.validation.Validator;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;

/**
 * Exposes the policies as a {@link PolicySource}: {@code keepwarm.policy}, or the
 * {@code keepwarm.policy-file}'s when one is set, which is then watched for changes.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ PolicyProperties.class, PolicyFileProperties.class })
class PolicyConfiguration {

    @Bean
    PolicySource policySource(PolicyProperties properties, PolicyFileProperties file,
            ObjectProvider<jakarta.validation.Validator> validators) {
        Path path = file.policyFile();
        return new PolicySource(path == null ? new Policies(properties) : policyFile(path, validators).load());
    }

    @Bean
    @Conditional(PolicyFileSet.class)
    PolicyFileWatcher policyFileWatcher(PolicySource source, PolicyFileProperties file,
            ObjectProvider<jakarta.validation.Validator> validators, ObjectProvider<MeterRegistry> meters) {
        PolicyFile policyFile = policyFile(Objects.requireNonNull(file.policyFile()), validators);
        return new PolicyFileWatcher(policyFile, source, file.policyFileCheckInterval(), meters.getIfUnique());
    }

    /**
     * Lets application.yml write keep-alives as YAML numbers; the policy file binds with
     * the same converter.
     */
    @Bean
    @ConfigurationPropertiesBinding
    static NumberToKeepAliveConverter numberToKeepAliveConverter() {
        return new NumberToKeepAliveConverter();
    }

    /**
     * Validates the file with the application's validator, so its messages match a bad
     * application.yml's.
     */
    private static PolicyFile policyFile(Path path, ObjectProvider<jakarta.validation.Validator> validators) {
        jakarta.validation.Validator validator = validators.getIfUnique();
        return new PolicyFile(path, springValidator(validator));
    }

    private static @Nullable Validator springValidator(jakarta.validation.@Nullable Validator validator) {
        if (validator == null) {
            return null;
        }
        return validator instanceof Validator spring ? spring : new SpringValidatorAdapter(validator);
    }

    /**
     * keepwarm.policy-file is set and not blank (an empty value means no file, as in
     * PolicyFileProperties).
     */
    static final class PolicyFileSet implements Condition {

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return Binder.get(context.getEnvironment())
                .bind(PolicyFile.PROPERTY, String.class)
                .map(StringUtils::hasText)
                .orElse(false);
        }

    }

}
