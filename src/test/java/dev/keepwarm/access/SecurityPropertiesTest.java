package dev.keepwarm.access;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import static dev.keepwarm.access.Keys.ADMIN_KEY;
import static dev.keepwarm.access.Keys.INFERENCE_KEY;
import static dev.keepwarm.access.Keys.sha256;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Binding of {@code keepwarm.security}; the start-up failures are in
 * SecurityStartupFailureTest.
 */
class SecurityPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
        .withUserConfiguration(Properties.class);

    @Test
    void defaultsAreOllamasOwnOpenness() {
        runner.run(context -> {
            SecurityProperties security = context.getBean(SecurityProperties.class);
            assertThat(security.apiKeys()).isEmpty();
            assertThat(security.adminRoutes()).isEqualTo(AdminRouteAccess.ALLOW);
            assertThat(security.actuatorWrites()).isTrue();
        });
    }

    @Test
    void bindsKeysScopesAndModes() {
        runner
            .withPropertyValues("keepwarm.security.api-keys[0].name=webui",
                    "keepwarm.security.api-keys[0].key-sha256=" + sha256(INFERENCE_KEY),
                    "keepwarm.security.api-keys[1].name=ops",
                    "keepwarm.security.api-keys[1].key-sha256=" + sha256(ADMIN_KEY).toUpperCase(java.util.Locale.ROOT),
                    "keepwarm.security.api-keys[1].scopes=inference,admin",
                    "keepwarm.security.admin-routes=admin-scope", "keepwarm.security.actuator-writes=false")
            .run(context -> {
                assertThat(context).hasNotFailed();
                SecurityProperties security = context.getBean(SecurityProperties.class);
                assertThat(security.apiKeys()).extracting(ApiKey::name).containsExactly("webui", "ops");
                assertThat(security.apiKeys().get(0).scopes()).containsExactly(Scope.INFERENCE);
                assertThat(security.apiKeys().get(1).scopes()).containsExactlyInAnyOrder(Scope.INFERENCE, Scope.ADMIN);
                assertThat(security.adminRoutes()).isEqualTo(AdminRouteAccess.ADMIN_SCOPE);
                assertThat(security.actuatorWrites()).isFalse();
            });
    }

    @Test
    void printingThePropertiesShowsNoHash() {
        ApiKey key = new ApiKey("webui", sha256(INFERENCE_KEY), Set.of(Scope.INFERENCE));
        assertThat(new SecurityProperties(List.of(key), AdminRouteAccess.ALLOW, true).toString()).contains("webui")
            .doesNotContain(sha256(INFERENCE_KEY));
    }

    @Test
    void everySecurityKeyIsDocumentedForIdes() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            metadata = JsonMapper.builder().build().readTree(in);
        }
        Map<String, JsonNode> properties = StreamSupport.stream(metadata.get("properties").spliterator(), false)
            .collect(Collectors.toMap(p -> p.get("name").stringValue(), p -> p));
        for (String key : List.of("keepwarm.security.api-keys", "keepwarm.security.admin-routes",
                "keepwarm.security.actuator-writes")) {
            assertThat(properties).containsKey(key);
            assertThat(properties.get(key).path("description").asString("")).as(key).isNotBlank();
        }
        assertThat(properties.get("keepwarm.security.admin-routes").get("defaultValue").stringValue())
            .isEqualTo("allow");
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(SecurityProperties.class)
    static class Properties {

    }

}
