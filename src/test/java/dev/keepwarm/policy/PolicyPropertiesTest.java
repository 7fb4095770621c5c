package dev.keepwarm.policy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;

import static dev.keepwarm.policy.StartupFailures.causeChainText;
import static dev.keepwarm.policy.StartupFailures.failureReport;
import static org.assertj.core.api.Assertions.assertThat;

/** Binding of {@code keepwarm.policy} and the start-up failures a bad value causes. */
class PolicyPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
        .withUserConfiguration(PolicyConfiguration.class);

    @Test
    void bindsAFullConfiguration() {
        runner.withPropertyValues("keepwarm.policy.default.keep-alive=10m", "keepwarm.policy.default.mode=fill",
                "keepwarm.policy.default.options.num_ctx=4096", "keepwarm.policy.models[0].match=llama3.2:1b",
                "keepwarm.policy.models[0].keep-alive=forever", "keepwarm.policy.models[0].mode=override",
                "keepwarm.policy.models[0].warm=true", "keepwarm.policy.models[0].allow-unload=false",
                "keepwarm.policy.models[0].options.num_ctx=8192", "keepwarm.policy.models[0].options.temperature=0.7",
                "keepwarm.policy.models[1].match=qwen*", "keepwarm.policy.models[1].keep-alive=30m",
                "keepwarm.policy.models[1].mode=clamp", "keepwarm.policy.models[1].min=5m",
                "keepwarm.policy.models[1].max=24h", "keepwarm.policy.models[2].match=mistral?",
                "keepwarm.policy.models[2].keep-alive=300", "keepwarm.policy.models[2].mode=fill")
            .run(context -> {
                assertThat(context).hasNotFailed();
                PolicyProperties properties = context.getBean(PolicyProperties.class);

                DefaultPolicy defaultPolicy = properties.defaultPolicy();
                assertThat(defaultPolicy).isNotNull();
                assertThat(defaultPolicy.keepAlive()).isEqualTo(KeepAlive.of(Duration.ofMinutes(10)));
                assertThat(defaultPolicy.mode()).isEqualTo(Mode.FILL);
                assertThat(defaultPolicy.allowUnload()).isTrue();
                assertThat(defaultPolicy.options()).isEqualTo(Map.of("num_ctx", "4096"));

                assertThat(properties.models()).extracting(ModelRule::match)
                    .containsExactly("llama3.2:1b", "qwen*", "mistral?");

                ModelRule pinned = properties.models().get(0);
                assertThat(pinned.keepAlive()).isEqualTo(KeepAlive.FOREVER);
                assertThat(pinned.mode()).isEqualTo(Mode.OVERRIDE);
                assertThat(pinned.warm()).isTrue();
                assertThat(pinned.allowUnload()).isFalse();
                assertThat(pinned.options()).isEqualTo(Map.of("num_ctx", "8192", "temperature", "0.7"));

                ModelRule clamped = properties.models().get(1);
                assertThat(clamped.mode()).isEqualTo(Mode.CLAMP);
                assertThat(clamped.keepAlive()).isEqualTo(KeepAlive.of(Duration.ofMinutes(30)));
                assertThat(clamped.min()).isEqualTo(KeepAlive.of(Duration.ofMinutes(5)));
                assertThat(clamped.max()).isEqualTo(KeepAlive.of(Duration.ofHours(24)));
                assertThat(clamped.warm()).isFalse();
                assertThat(clamped.allowUnload()).isTrue();
                assertThat(clamped.options()).isEmpty();

                ModelRule filled = properties.models().get(2);
                assertThat(filled.keepAlive()).isEqualTo(KeepAlive.of(Duration.ofMinutes(5)));
                assertThat(filled.mode()).isEqualTo(Mode.FILL);
            });
    }

    @Test
    void ruleModeDefaultsToOverrideAndUnloadToAllowed() {
        runner.withPropertyValues("keepwarm.policy.models[0].match=llama3.2", "keepwarm.policy.models[0].keep-alive=-1")
            .run(context -> {
                assertThat(context).hasNotFailed();
                ModelRule rule = context.getBean(PolicyProperties.class).models().get(0);
                assertThat(rule.mode()).isEqualTo(Mode.OVERRIDE);
                assertThat(rule.keepAlive()).isEqualTo(KeepAlive.FOREVER);
                assertThat(rule.warm()).isFalse();
                assertThat(rule.allowUnload()).isTrue();
                assertThat(rule.min()).isNull();
                assertThat(rule.max()).isNull();
                assertThat(rule.kind()).isEqualTo(LoadRoute.AUTO);
                assertThat(rule.schedule()).isNull();
            });
    }

    @Test
    void bindsKindAndSchedule() {
        runner.withPropertyValues("keepwarm.policy.models[0].match=llama3.2:1b",
                "keepwarm.policy.models[0].keep-alive=forever", "keepwarm.policy.models[0].warm=true",
                "keepwarm.policy.models[0].kind=embedding", "keepwarm.policy.models[0].schedule.zone=Europe/Berlin",
                "keepwarm.policy.models[0].schedule.windows[0]=MON-FRI 08:00-18:00",
                "keepwarm.policy.models[0].schedule.windows[1]=SAT,SUN 22:00-02:00",
                "keepwarm.policy.models[0].schedule.off-hours-keep-alive=10m", "keepwarm.policy.models[1].match=qwen*",
                "keepwarm.policy.models[1].keep-alive=1h", "keepwarm.policy.models[1].kind=GENERATE",
                "keepwarm.policy.models[1].schedule.windows[0]=mon 08:00-09:00")
            .run(context -> {
                assertThat(context).hasNotFailed();
                List<ModelRule> rules = context.getBean(PolicyProperties.class).models();

                ModelRule berlin = rules.get(0);
                assertThat(berlin.kind()).isEqualTo(LoadRoute.EMBEDDING);
                assertThat(berlin.schedule()).isNotNull();
                assertThat(berlin.schedule().zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
                assertThat(berlin.schedule().windows()).containsExactly("MON-FRI 08:00-18:00", "SAT,SUN 22:00-02:00");
                assertThat(berlin.schedule().offHoursKeepAlive()).isEqualTo(KeepAlive.of(Duration.ofMinutes(10)));

                ModelRule local = rules.get(1);
                assertThat(local.kind()).isEqualTo(LoadRoute.GENERATE);
                assertThat(local.schedule()).isNotNull();
                assertThat(local.schedule().zone()).isEqualTo(ZoneId.systemDefault());
                assertThat(local.schedule().windows()).containsExactly("mon 08:00-09:00");
                assertThat(local.schedule().offHoursKeepAlive()).isEqualTo(KeepAlive.of(Duration.ofMinutes(5)));
            });
    }

    @Test
    void unknownKindStopsStartUpNamingPropertyAndValue() {
        assertStartUpFails(List.of("keepwarm.policy.models[0].match=llama3.2:1b",
                "keepwarm.policy.models[0].keep-alive=forever", "keepwarm.policy.models[0].kind=chat"),
                "keepwarm.policy.models[0].kind", "chat");
    }

    @Test
    void badWindowStopsStartUpNamingTheScheduleAndTheWindow() {
        assertStartUpFails(
                List.of("keepwarm.policy.models[0].match=llama3.2:1b", "keepwarm.policy.models[0].keep-alive=forever",
                        "keepwarm.policy.models[0].schedule.windows[0]=MON-FRI 08:00-18:00",
                        "keepwarm.policy.models[0].schedule.windows[1]=MON-FRI 8-18"),
                "keepwarm.policy.models[0].schedule", "invalid schedule window \"MON-FRI 8-18\"", "not HH:MM-HH:MM");
    }

    @Test
    void windowsWrittenAsOneCommaSeparatedValueStopStartUpWithAHint() {
        // Spring splits "SAT,SUN 22:00-02:00" given as one value into "SAT" and "SUN
        // 22:00-02:00"
        assertStartUpFails(
                List.of("keepwarm.policy.models[0].match=llama3.2:1b", "keepwarm.policy.models[0].keep-alive=forever",
                        "keepwarm.policy.models[0].schedule.windows=SAT,SUN 22:00-02:00"),
                "keepwarm.policy.models[0].schedule", "invalid schedule window \"SAT\"", "as a YAML list");
    }

    @Test
    void scheduleWithoutWindowsStopsStartUp() {
        assertStartUpFails(
                List.of("keepwarm.policy.models[0].match=llama3.2:1b", "keepwarm.policy.models[0].keep-alive=forever",
                        "keepwarm.policy.models[0].schedule.zone=UTC"),
                "keepwarm.policy.models[0].schedule", "at least one window");
    }

    @Test
    void unknownZoneStopsStartUpNamingPropertyAndValue() {
        assertStartUpFails(
                List.of("keepwarm.policy.models[0].match=llama3.2:1b", "keepwarm.policy.models[0].keep-alive=forever",
                        "keepwarm.policy.models[0].schedule.zone=Mars/Olympus",
                        "keepwarm.policy.models[0].schedule.windows[0]=MON 08:00-09:00"),
                "keepwarm.policy.models[0].schedule.zone", "Mars/Olympus");
    }

    @Test
    void unloadForbiddingRuleWithOffHoursKeepAliveZeroStopsStartUp() {
        assertStartUpFails(
                List.of("keepwarm.policy.models[0].match=llama3.2:1b", "keepwarm.policy.models[0].keep-alive=forever",
                        "keepwarm.policy.models[0].allow-unload=false",
                        "keepwarm.policy.models[0].schedule.windows[0]=MON 08:00-09:00",
                        "keepwarm.policy.models[0].schedule.off-hours-keep-alive=0"),
                "keepwarm.policy.models[0]", "llama3.2:1b",
                "allow-unload false needs an off-hours-keep-alive other than 0");
    }

    @Test
    void defaultPolicyModeDefaultsToFill() {
        runner.withPropertyValues("keepwarm.policy.default.keep-alive=0").run(context -> {
            assertThat(context).hasNotFailed();
            DefaultPolicy defaultPolicy = context.getBean(PolicyProperties.class).defaultPolicy();
            assertThat(defaultPolicy).isNotNull();
            assertThat(defaultPolicy.mode()).isEqualTo(Mode.FILL);
            assertThat(defaultPolicy.keepAlive()).isEqualTo(KeepAlive.ZERO);
            assertThat(defaultPolicy.allowUnload()).isTrue();
            assertThat(defaultPolicy.options()).isEmpty();
        });
    }

    @Test
    void omittedDefaultAndModelsMeanPassThrough() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            PolicyProperties properties = context.getBean(PolicyProperties.class);
            assertThat(properties.defaultPolicy()).isNull();
            assertThat(properties.models()).isEmpty();
            assertThat(new Policies(properties).forModel("llama3.2", Instant.EPOCH)).isEmpty();
        });
    }

    @Test
    void badDurationStopsStartUpNamingPropertyAndValue() {
        assertStartUpFails(
                List.of("keepwarm.policy.models[0].match=llama3.2:1b",
                        "keepwarm.policy.models[0].keep-alive=ten minutes"),
                "keepwarm.policy.models[0].keep-alive", "ten minutes");
    }

    @Test
    void badMinDurationStopsStartUpNamingPropertyAndValue() {
        assertStartUpFails(
                List.of("keepwarm.policy.models[0].match=qwen*", "keepwarm.policy.models[0].keep-alive=10m",
                        "keepwarm.policy.models[0].mode=clamp", "keepwarm.policy.models[0].min=5 min"),
                "keepwarm.policy.models[0].min", "5 min");
    }

    @Test
    void badDefaultDurationStopsStartUpNamingPropertyAndValue() {
        assertStartUpFails(List.of("keepwarm.policy.default.keep-alive=1h30"), "keepwarm.policy.default.keep-alive",
                "1h30");
    }

    @Test
    void clampWithMinGreaterThanMaxStopsStartUpNamingRuleAndValues() {
        assertStartUpFails(
                List.of("keepwarm.policy.models[0].match=qwen*", "keepwarm.policy.models[0].keep-alive=10m",
                        "keepwarm.policy.models[0].mode=clamp", "keepwarm.policy.models[0].min=1h",
                        "keepwarm.policy.models[0].max=5m"),
                "keepwarm.policy.models[0]", "qwen*", "min (1h)", "max (5m)");
    }

    @Test
    void clampWithMinGreaterThanMaxInSecondRuleNamesThatRule() {
        assertStartUpFails(List.of("keepwarm.policy.models[0].match=llama3.2:1b",
                "keepwarm.policy.models[0].keep-alive=forever", "keepwarm.policy.models[1].match=qwen*",
                "keepwarm.policy.models[1].keep-alive=10m", "keepwarm.policy.models[1].mode=clamp",
                "keepwarm.policy.models[1].min=forever", "keepwarm.policy.models[1].max=24h"),
                "keepwarm.policy.models[1]", "qwen*", "24h");
    }

    @Test
    void unknownModeStopsStartUpNamingPropertyAndValue() {
        assertStartUpFails(List.of("keepwarm.policy.models[0].match=llama3.2:1b",
                "keepwarm.policy.models[0].keep-alive=forever", "keepwarm.policy.models[0].mode=sometimes"),
                "keepwarm.policy.models[0].mode", "sometimes");
    }

    @Test
    void unknownDefaultModeStopsStartUpNamingPropertyAndValue() {
        assertStartUpFails(List.of("keepwarm.policy.default.keep-alive=10m", "keepwarm.policy.default.mode=pin"),
                "keepwarm.policy.default.mode", "pin");
    }

    @Test
    void emptyMatchStopsStartUpNamingPropertyAndValue() {
        ApplicationContextRunner withEmptyMatch = runner.withPropertyValues("keepwarm.policy.models[0].match=",
                "keepwarm.policy.models[0].keep-alive=forever");

        StartupFailures.assertStartUpFails(withEmptyMatch, "keepwarm.policy.models[0].match", "must not be blank");
        withEmptyMatch.run(context -> {
            assertThat(causeChainText(context.getStartupFailure())).contains("rejected value []");
            assertThat(failureReport(context.getStartupFailure())).contains("Value: \"\"");
        });
    }

    @Test
    void blankMatchStopsStartUpNamingPropertyAndValue() {
        // TestPropertyValues trims values, so the blank match comes from a property
        // source as YAML would give it
        ApplicationContextRunner withBlankMatch = runner.withInitializer(context -> context.getEnvironment()
            .getPropertySources()
            .addFirst(new MapPropertySource("application.yml",
                    Map.of("keepwarm.policy.models[0].match", "   ", "keepwarm.policy.models[0].keep-alive", "1h"))));

        StartupFailures.assertStartUpFails(withBlankMatch, "keepwarm.policy.models[0].match", "must not be blank");
        withBlankMatch.run(context -> {
            assertThat(causeChainText(context.getStartupFailure())).contains("rejected value [   ]");
            assertThat(failureReport(context.getStartupFailure())).contains("Value: \"   \"");
        });
    }

    @Test
    void matchMissingFromARuleStopsStartUp() {
        assertStartUpFails(List.of("keepwarm.policy.models[0].keep-alive=forever"), "keepwarm.policy.models[0].match",
                "must not be blank");
    }

    @Test
    void overrideWithoutKeepAliveStopsStartUp() {
        assertStartUpFails(List.of("keepwarm.policy.models[0].match=llama3.2:1b"), "keepwarm.policy.models[0]",
                "llama3.2:1b", "mode override needs keep-alive");
    }

    @Test
    void clampWithoutKeepAliveStopsStartUp() {
        assertStartUpFails(
                List.of("keepwarm.policy.models[0].match=qwen*", "keepwarm.policy.models[0].mode=clamp",
                        "keepwarm.policy.models[0].max=1h"),
                "keepwarm.policy.models[0]", "qwen*", "mode clamp needs keep-alive");
    }

    @Test
    void minOrMaxOutsideClampStopsStartUp() {
        assertStartUpFails(
                List.of("keepwarm.policy.models[0].match=qwen*", "keepwarm.policy.models[0].keep-alive=1h",
                        "keepwarm.policy.models[0].mode=fill", "keepwarm.policy.models[0].max=2h"),
                "keepwarm.policy.models[0]", "qwen*", "min and max apply to modes clamp and adaptive only, not fill");
    }

    @Test
    void adaptiveWithAForeverBoundStopsStartUp() {
        assertStartUpFails(
                List.of("keepwarm.policy.models[0].match=qwen*", "keepwarm.policy.models[0].keep-alive=10m",
                        "keepwarm.policy.models[0].mode=adaptive", "keepwarm.policy.models[0].max=forever"),
                "keepwarm.policy.models[0]", "qwen*", "mode adaptive needs a duration as max, not -1");
    }

    @Test
    void adaptiveAndWarmStopStartUp() {
        assertStartUpFails(
                List.of("keepwarm.policy.models[0].match=qwen2.5", "keepwarm.policy.models[0].keep-alive=10m",
                        "keepwarm.policy.models[0].mode=adaptive", "keepwarm.policy.models[0].warm=true"),
                "keepwarm.policy.models[0]", "qwen2.5",
                "warm true keeps the model loaded and mode adaptive learns when to unload it: choose one");
    }

    @Test
    void adaptiveBindsWithItsBounds() {
        runner
            .withPropertyValues("keepwarm.policy.default.mode=adaptive", "keepwarm.policy.default.keep-alive=10m",
                    "keepwarm.policy.default.min=2m", "keepwarm.policy.default.max=2h")
            .run(context -> {
                assertThat(context).hasNotFailed();
                DefaultPolicy adaptive = context.getBean(PolicyProperties.class).defaultPolicy();
                assertThat(adaptive.mode()).isEqualTo(Mode.ADAPTIVE);
                assertThat(adaptive.min()).isEqualTo(KeepAlive.parse("2m"));
                assertThat(adaptive.max()).isEqualTo(KeepAlive.parse("2h"));
            });
    }

    @Test
    void minWithDefaultOverrideModeStopsStartUp() {
        assertStartUpFails(
                List.of("keepwarm.policy.models[0].match=qwen*", "keepwarm.policy.models[0].keep-alive=1h",
                        "keepwarm.policy.models[0].min=5m"),
                "keepwarm.policy.models[0]", "qwen*",
                "min and max apply to modes clamp and adaptive only, not override");
    }

    @Test
    void clampWithoutMinOrMaxStopsStartUp() {
        assertStartUpFails(
                List.of("keepwarm.policy.models[0].match=qwen*", "keepwarm.policy.models[0].keep-alive=1h",
                        "keepwarm.policy.models[0].mode=clamp"),
                "keepwarm.policy.models[0]", "qwen*", "mode clamp needs min, max or both");
    }

    @Test
    void pinnedRuleWithoutKeepAliveStopsStartUp() {
        assertStartUpFails(
                List.of("keepwarm.policy.models[0].match=qwen*", "keepwarm.policy.models[0].mode=fill",
                        "keepwarm.policy.models[0].allow-unload=false"),
                "keepwarm.policy.models[0]", "qwen*", "allow-unload false needs a keep-alive other than 0");
    }

    @Test
    void defaultClampWithMinGreaterThanMaxStopsStartUp() {
        assertStartUpFails(
                List.of("keepwarm.policy.default.keep-alive=10m", "keepwarm.policy.default.mode=clamp",
                        "keepwarm.policy.default.min=2h", "keepwarm.policy.default.max=1h"),
                "keepwarm.policy.default", "min (2h)", "max (1h)");
    }

    @Test
    void defaultOverrideWithoutKeepAliveStopsStartUp() {
        assertStartUpFails(List.of("keepwarm.policy.default.mode=override"), "keepwarm.policy.default",
                "mode override needs keep-alive");
    }

    private void assertStartUpFails(List<String> properties, String... expectedInMessage) {
        StartupFailures.assertStartUpFails(runner.withPropertyValues(properties.toArray(String[]::new)),
                expectedInMessage);
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(PolicyProperties.class)
    static class PolicyConfiguration {

    }

}
