package dev.keepwarm.policy;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * keepwarm.policy-file and its check interval: binding, defaults, and the IDE metadata
 * users discover them by.
 */
class PolicyFilePropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withUserConfiguration(FileProperties.class)
        .withPropertyValues("keepwarm.upstream.url=http://localhost:11434", "keepwarm.policy.models[0].match=x");

    @Test
    void bindsBesideTheOtherKeepwarmGroups() {
        runner
            .withPropertyValues("keepwarm.policy-file=/config/policies.yml", "keepwarm.policy-file-check-interval=30s")
            .run(context -> {
                PolicyFileProperties properties = context.getBean(PolicyFileProperties.class);
                assertThat(properties.policyFile()).isEqualTo(Path.of("/config/policies.yml"));
                assertThat(properties.policyFileCheckInterval()).isEqualTo(Duration.ofSeconds(30));
            });
    }

    @Test
    void noFileByDefaultAndChecksEveryFiveSeconds() {
        runner.run(context -> {
            PolicyFileProperties properties = context.getBean(PolicyFileProperties.class);
            assertThat(properties.policyFile()).isNull();
            assertThat(properties.policyFileCheckInterval()).isEqualTo(Duration.ofSeconds(5));
        });
    }

    @Test
    void zeroCheckIntervalStopsStartUpNamingTheProperty() {
        StartupFailures.assertStartUpFails(runner.withPropertyValues("keepwarm.policy-file-check-interval=0s"),
                "keepwarm.policy-file-check-interval must be positive, not PT0S");
    }

    @Test
    void bothKeysAreDocumentedInTheGeneratedMetadata() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated metadata on the classpath").isNotNull();
            metadata = JsonMapper.builder().build().readTree(in);
        }
        Map<String, JsonNode> properties = StreamSupport.stream(metadata.get("properties").spliterator(), false)
            .collect(Collectors.toMap(p -> p.get("name").stringValue(), p -> p));

        JsonNode file = properties.get("keepwarm.policy-file");
        JsonNode interval = properties.get("keepwarm.policy-file-check-interval");
        assertThat(file.get("type").stringValue()).isEqualTo("java.nio.file.Path");
        assertThat(file.get("description").stringValue()).contains("replaces").doesNotContain("{@");
        assertThat(interval.get("type").stringValue()).isEqualTo("java.time.Duration");
        assertThat(interval.get("defaultValue").stringValue()).isEqualTo("5s");
        assertThat(properties).containsKey("keepwarm.policy.models")
            .doesNotContainKey("keepwarm.policy-file.policy-file");
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(PolicyFileProperties.class)
    static class FileProperties {

    }

}
