package dev.keepwarm.config;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * IDEs learn keepwarm's keys from the metadata the configuration processor generates from
 * the records' Javadoc.
 */
class ConfigurationMetadataTest {

    @Test
    void everyKeepwarmKeyIsDocumentedInTheGeneratedMetadata() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated metadata on the classpath").isNotNull();
            metadata = JsonMapper.builder().build().readTree(in);
        }
        Map<String, JsonNode> properties = StreamSupport.stream(metadata.get("properties").spliterator(), false)
            .collect(Collectors.toMap(p -> p.get("name").stringValue(), p -> p));

        List<String> keys = List.of("keepwarm.upstream.url", "keepwarm.upstream.connect-timeout",
                "keepwarm.upstream.response-timeout", "keepwarm.upstream.idle-timeout",
                "keepwarm.upstream.max-connections", "keepwarm.upstream.ssl-bundle", "keepwarm.proxy.max-request-size",
                "keepwarm.proxy.trusted-proxies", "keepwarm.policy.models", "keepwarm.policy.default.keep-alive",
                "keepwarm.policy.default.mode", "keepwarm.policy.default.min", "keepwarm.policy.default.max",
                "keepwarm.policy.default.allow-unload", "keepwarm.policy.default.options", "keepwarm.adaptive.bin",
                "keepwarm.adaptive.range", "keepwarm.adaptive.margin", "keepwarm.adaptive.memory-budget",
                "keepwarm.adaptive.state-file");
        assertThat(properties).containsKeys(keys.toArray(String[]::new));
        for (String key : keys) {
            assertThat(properties.get(key).path("description").asString("")).as(key).isNotBlank();
        }
        assertThat(properties.get("keepwarm.policy.models").get("type").stringValue())
            .isEqualTo("java.util.List<dev.keepwarm.policy.ModelRule>");
        assertThat(properties.get("keepwarm.upstream.idle-timeout").get("defaultValue").stringValue()).isEqualTo("10m");
    }

    @Test
    void idesAreOfferedTheKeepAliveValuesTheModesAndTheRunnerOptions() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            metadata = JsonMapper.builder().build().readTree(in);
        }
        Map<String, List<String>> hints = StreamSupport.stream(metadata.get("hints").spliterator(), false)
            .collect(Collectors.toMap(hint -> hint.get("name").stringValue(),
                    hint -> StreamSupport.stream(hint.get("values").spliterator(), false)
                        .map(value -> value.get("value").asString())
                        .toList()));
        assertThat(hints.get("keepwarm.policy.default.keep-alive")).contains("forever", "-1", "0", "10m");
        assertThat(hints.get("keepwarm.policy.default.mode")).containsExactly("override", "fill", "clamp", "adaptive");
        assertThat(hints.get("keepwarm.policy.default.options.keys")).contains("num_ctx", "num_batch", "num_gpu");
        assertThat(hints.get("keepwarm.adaptive.margin")).contains("10%");
    }

}
