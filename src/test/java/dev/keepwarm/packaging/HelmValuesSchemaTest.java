package dev.keepwarm.packaging;

import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

import dev.keepwarm.access.ApiKey;
import dev.keepwarm.access.Scope;
import dev.keepwarm.ollama.UpstreamProperties;
import dev.keepwarm.policy.DefaultPolicy;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.LoadRoute;
import dev.keepwarm.policy.Mode;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.PolicyProperties;
import dev.keepwarm.policy.Schedule;
import dev.keepwarm.warmer.AdaptiveProperties;
import dev.keepwarm.warmer.WarmerProperties;

import org.springframework.boot.context.properties.bind.Name;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.convert.ConversionException;
import org.springframework.util.unit.DataSize;

import static dev.keepwarm.packaging.HelmRender.render;
import static dev.keepwarm.packaging.HelmRender.renderYaml;
import static dev.keepwarm.packaging.ProjectFiles.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * helm/keepwarm/values.schema.json: Helm refuses values the application would refuse, or
 * would silently ignore (a typo'd key), before anything reaches the cluster.
 */
class HelmValuesSchemaTest {

    private static final Map<String, Object> SCHEMA = map(
            new Yaml().load(ProjectFiles.read("helm/keepwarm/values.schema.json")));

    /** Helm's first line when values fail the schema. */
    private static final String SCHEMA_FAILURE = "values don't meet the specifications of the schema(s)";

    @TempDir
    Path dir;

    static Stream<Arguments> recordsTheSchemaMirrors() {
        return Stream.of(arguments("properties/policies", PolicyProperties.class),
                arguments("definitions/modelRule", ModelRule.class),
                arguments("definitions/defaultPolicy", DefaultPolicy.class),
                arguments("definitions/schedule", Schedule.class),
                arguments("properties/adaptive", AdaptiveProperties.class),
                arguments("properties/warmer", WarmerProperties.class),
                arguments("properties/warmer/properties/thrash", WarmerProperties.Thrash.class),
                arguments("properties/upstream", UpstreamProperties.class),
                arguments("properties/upstream/properties/discovery", UpstreamProperties.Discovery.class),
                arguments("properties/apiKeys/properties/keys/items", ApiKey.class));
    }

    /**
     * A key the application gains is a key the chart accepts, and a key the schema allows
     * is one the application binds: schema and records cannot drift apart.
     */
    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("recordsTheSchemaMirrors")
    void schemaPropertiesAreTheRecordsComponentsKebabCased(String pointer, Class<? extends Record> record) {
        List<String> properties = new java.util.ArrayList<>(properties(pointer));
        // the chart's own: upstream.tls renders keepwarm.upstream.ssl-bundle and its
        // bundle
        properties.removeAll(CHART_ONLY.getOrDefault(pointer, List.of()));
        assertThat(properties).containsExactlyInAnyOrderElementsOf(kebabComponents(record));
    }

    private static final Map<String, List<String>> CHART_ONLY = Map.of("properties/upstream", List.of("tls"));

    @Test
    void fleetHostsAreTheHostRecordInTheChartsSpelling() {
        // the chart spells max-loaded as maxLoaded (and renders it kebab-cased)
        assertThat(properties("properties/upstream/properties/hosts/items"))
            .containsExactlyInAnyOrderElementsOf(Arrays.stream(UpstreamProperties.Host.class.getRecordComponents())
                .map(RecordComponent::getName)
                .toList());
    }

    @Test
    void enumsAreTheApplicationsEnums() {
        assertThat(enumOf("definitions/mode")).containsExactlyElementsOf(lowerCase(Mode.values()));
        assertThat(enumOf("definitions/modelRule/properties/kind"))
            .containsExactlyElementsOf(lowerCase(LoadRoute.values()));
        assertThat(enumOf("properties/apiKeys/properties/keys/items/properties/scopes/items"))
            .containsExactlyElementsOf(lowerCase(Scope.values()));
    }

    @ParameterizedTest
    @ValueSource(strings = { "helm/keepwarm/values.yaml", "helm/keepwarm/examples/fleet-values.yaml",
            "helm/keepwarm/ci/default-values.yaml", "helm/keepwarm/ci/fleet-values.yaml",
            "helm/keepwarm/ci/auth-values.yaml", "helm/keepwarm/ci/adaptive-values.yaml",
            "helm/keepwarm/ci/networkpolicy-values.yaml" })
    void shippedValuesFilesPassTheSchema(String file) {
        assertThatCode(() -> render(template -> template.withValuesFile(ProjectFiles.path(file))))
            .doesNotThrowAnyException();
    }

    /**
     * Every keep-alive form: the schema accepts exactly what KeepAlive.parse (and, for
     * YAML numbers, the number converter) accepts.
     */
    @ParameterizedTest(name = "keep-alive: {0}")
    @ValueSource(strings = { "5m", "1h30m", "90s", "1.5h", "500ms", ".5h", "'300'", "300", "42.5", "-1", "'-1'", "0",
            "'0'", "forever", "FOREVER", "-5m", "'5 minutes'", "1d", "5mins", "'1h 30m'", "never", "'1..5h'", "h",
            "'+'", "true" })
    void keepAliveIsCheckedAsTheApplicationParsesIt(String yaml) {
        Object value = new Yaml().load("v: " + yaml) instanceof Map<?, ?> doc ? doc.get("v") : null;
        boolean applicationAccepts = value instanceof Number || value instanceof String text && parses(text);
        String values = """
                policies:
                  models:
                    - match: qwen3:8b
                      keep-alive: %s
                """.formatted(yaml);

        if (applicationAccepts) {
            assertThatCode(() -> renderYaml(dir, values)).doesNotThrowAnyException();
        }
        else {
            assertThatThrownBy(() -> renderYaml(dir, values)).hasMessageContaining(SCHEMA_FAILURE)
                .hasMessageContaining("/policies/models/0/keep-alive");
        }
    }

    /**
     * Spring Boot durations (warmer.interval) and data sizes (a host's memory): the
     * schema accepts what Boot's conversion service converts.
     */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            interval | 30s
            interval | 1m
            interval | 2H
            interval | PT1M30S
            interval | '90000'
            interval | 90000
            interval | 1m30s
            interval | 1.5s
            interval | 5min
            interval | 10 minutes
            memory   | 24GB
            memory   | 512MB
            memory   | 1073741824
            memory   | '1024'
            memory   | 24G
            memory   | 1.5GB
            memory   | 24 gigabytes
            """)
    void durationsAndSizesAreCheckedAsBootConvertsThem(String key, String yaml) {
        Object value = map(new Yaml().load("v: " + yaml)).get("v");
        Class<?> type = key.equals("interval") ? Duration.class : DataSize.class;
        boolean bootConverts = converts(String.valueOf(value), type);
        String values = key.equals("interval") ? "warmer: {interval: %s}".formatted(yaml)
                : "upstream: {hosts: [{name: gpu0, url: 'http://10.0.0.5:11434', memory: %s}]}".formatted(yaml);

        if (bootConverts) {
            assertThatCode(() -> renderYaml(dir, values)).doesNotThrowAnyException();
        }
        else {
            assertThatThrownBy(() -> renderYaml(dir, values)).hasMessageContaining(SCHEMA_FAILURE)
                .hasMessageContaining(key.equals("interval") ? "/warmer/interval" : "/upstream/hosts/0/memory");
        }
    }

    private static boolean converts(String text, Class<?> type) {
        try {
            return ApplicationConversionService.getSharedInstance().convert(text, type) != null;
        }
        catch (ConversionException ex) {
            return false;
        }
    }

    private static boolean parses(String keepAlive) {
        try {
            KeepAlive.parse(keepAlive);
            return true;
        }
        catch (IllegalArgumentException ex) {
            return false;
        }
    }

    @Test
    void aTypoInARuleFailsTheRenderNamingTheKey() {
        assertThatThrownBy(() -> render(template -> template.set("policies.models[0].alow-unload", "false")))
            .hasMessageContaining(SCHEMA_FAILURE)
            .hasMessageContaining("at '/policies/models/0': additional properties 'alow-unload' not allowed");
    }

    @Test
    void aTypoAtTheTopOrInTheDefaultOrTheWarmerFailsTheRender() {
        assertThatThrownBy(() -> render(template -> template.set("replicas", "2")))
            .hasMessageContaining("additional properties 'replicas' not allowed");
        assertThatThrownBy(() -> render(template -> template.set("policies.default.keepalive", "5m")))
            .hasMessageContaining("at '/policies/default': additional properties 'keepalive' not allowed");
        assertThatThrownBy(() -> render(template -> template.set("warmer.intervall", "1m")))
            .hasMessageContaining("at '/warmer': additional properties 'intervall' not allowed");
        assertThatThrownBy(() -> render(template -> template.set("upstream.urll", "http://ollama:11434")))
            .hasMessageContaining("at '/upstream': additional properties 'urll' not allowed");
    }

    @Test
    void aKeepAliveInWordsFailsTheRenderNamingTheField() {
        assertThatThrownBy(() -> render(template -> template.set("policies.models[0].keep-alive", "5 minutes")))
            .hasMessageContaining(SCHEMA_FAILURE)
            .hasMessageContaining("at '/policies/models/0/keep-alive': '5 minutes' does not match pattern");
    }

    @Test
    void anUnknownModeFailsTheRenderListingTheModes() {
        assertThatThrownBy(() -> render(template -> template.set("policies.default.mode", "always")))
            .hasMessageContaining(
                    "at '/policies/default/mode': value must be one of 'override', 'fill', 'clamp', " + "'adaptive'");
    }

    @Test
    void aValueOfTheWrongTypeFailsTheRender() {
        assertThatThrownBy(() -> render(template -> template.set("warmer.max-concurrent-loads", "two")))
            .hasMessageContaining("at '/warmer/max-concurrent-loads': got string, want integer");
        assertThatThrownBy(() -> render(template -> template.set("policies.models[0].warm", "yes")))
            .hasMessageContaining("at '/policies/models/0/warm': got string, want boolean");
        // ModelRule's @NotBlank: a blank match would fail start-up
        assertThatThrownBy(() -> renderYaml(dir, "policies: {models: [{match: ' ', keep-alive: 5m}]}"))
            .hasMessageContaining("at '/policies/models/0/match': ' ' does not match pattern");
    }

    @Test
    void anUpstreamUrlTheApplicationWouldRefuseFailsTheRender() {
        for (String url : List.of("ollama:11434", "http://", "ftp://ollama:21")) {
            assertThatThrownBy(() -> render(template -> template.set("upstream.url", url))).as(url)
                .hasMessageContaining("at '/upstream/url': '" + url + "' does not match pattern");
            assertThatThrownBy(() -> KeepwarmConfig.of("keepwarm.upstream.url: " + url).upstream()).as(url).isNotNull();
        }
    }

    @Test
    void aSpringDurationIsOneNumberAndOneUnit() {
        // Boot's Duration binding takes 90s or PT1M30S, not a Go duration
        assertThatThrownBy(() -> render(template -> template.set("warmer.interval", "1m30s")))
            .hasMessageContaining("at '/warmer/interval': '1m30s' does not match pattern");
        assertThatCode(() -> render(template -> template.set("warmer.interval", "PT1M30S"))).doesNotThrowAnyException();
    }

    @Test
    void kubernetesObjectsPassThroughUnchecked() {
        assertThatCode(() -> render(template -> template.set("resources.limits.nvidia\\.com/gpu", "1")
            .set("affinity.nodeAffinity.anything", "goes")
            .set("podSecurityContext.fsGroupChangePolicy", "OnRootMismatch"))).doesNotThrowAnyException();
    }

    /**
     * The schema's node at a path of keys, e.g.
     * {@code properties/warmer/properties/thrash}.
     */
    private static Map<String, Object> node(String pointer) {
        Object node = SCHEMA;
        for (String step : pointer.split("/")) {
            node = map(node).get(step);
            if (node == null) {
                throw new AssertionError("no " + step + " in " + pointer);
            }
        }
        return map(node);
    }

    private static List<String> properties(String pointer) {
        return List.copyOf(map(node(pointer).get("properties")).keySet());
    }

    private static List<Object> enumOf(String pointer) {
        return ProjectFiles.list(node(pointer).get("enum"));
    }

    private static List<Object> lowerCase(Enum<?>[] constants) {
        return Arrays.stream(constants).<Object>map(constant -> constant.name().toLowerCase(Locale.ROOT)).toList();
    }

    /**
     * The keys Boot binds: each canonical constructor parameter's @Name, else its
     * component's name kebab-cased.
     */
    private static List<String> kebabComponents(Class<? extends Record> record) {
        RecordComponent[] components = record.getRecordComponents();
        Parameter[] parameters;
        try {
            parameters = record
                .getDeclaredConstructor(
                        Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new))
                .getParameters();
        }
        catch (NoSuchMethodException ex) {
            throw new AssertionError(ex);
        }
        return IntStream.range(0, components.length).mapToObj(i -> {
            Name name = parameters[i].getAnnotation(Name.class);
            return name != null ? name.value()
                    : components[i].getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
        }).toList();
    }

}
