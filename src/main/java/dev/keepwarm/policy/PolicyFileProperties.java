package dev.keepwarm.policy;

import java.nio.file.Path;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the policies may come from instead of {@code keepwarm.policy}: a file that is
 * reloaded when it changes. Bound at {@code keepwarm} (only these two keys) so that they
 * read {@code keepwarm.policy-file}.
 *
 * @param policyFile YAML file shaped like application.yml (keepwarm: policy: models: ...)
 * whose keepwarm.policy replaces the one from the application's configuration, at
 * start-up and whenever the file changes. A missing or invalid file fails start-up;
 * later, it keeps the policies loaded before. Omitted: keepwarm.policy from the
 * configuration, never reloaded
 * @param policyFileCheckInterval how often the policy file is checked for changes
 * (modification time, then content)
 */
@ConfigurationProperties("keepwarm")
public record PolicyFileProperties(@Nullable Path policyFile, @DefaultValue("5s") Duration policyFileCheckInterval) {

    public PolicyFileProperties {
        if (policyFile != null && policyFile.toString().isBlank()) {
            policyFile = null; // an empty value, as optional settings in charts often
                               // are, means no file
        }
        if (policyFileCheckInterval == null) {
            policyFileCheckInterval = Duration.ofSeconds(5);
        }
        PositiveDuration.require("keepwarm.policy-file-check-interval", policyFileCheckInterval);
    }
}
