package dev.keepwarm.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.core.env.MapPropertySource;

import static dev.keepwarm.policy.PolicyFiles.PINNED;
import static dev.keepwarm.policy.PolicyFiles.PINNED_AND_QWEN;
import static dev.keepwarm.policy.PolicyFiles.oneRule;
import static dev.keepwarm.policy.PolicyFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The PolicySource bean: from keepwarm.policy, or from keepwarm.policy-file, which then
 * is watched while running.
 */
class PolicySourceConfigurationTest {

    private static final Duration SHORT = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
        .withUserConfiguration(PolicyConfiguration.class)
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("keepwarm.policy.models[0].match=phi4:14b", "keepwarm.policy.models[0].keep-alive=1h");

    @Test
    void withoutAPolicyFileThePoliciesComeFromTheConfigurationAndNothingWatches() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(PolicyFileWatcher.class);
            Policies policies = context.getBean(PolicySource.class).current();
            assertThat(policies.rules()).extracting(ModelRule::match).containsExactly("phi4:14b");
            // everyone reads PolicySource.current()
            assertThat(context).doesNotHaveBean(Policies.class);
        });
    }

    @Test
    void blankPolicyFileMeansNone() {
        runner.withPropertyValues("keepwarm.policy-file=").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(PolicyFileWatcher.class);
            assertThat(context.getBean(PolicySource.class).current().rule("phi4:14b")).isPresent();
        });
    }

    @Test
    void policyFileAtStartUpReplacesTheConfiguredRules() {
        Path file = dir.resolve("policies.yml");
        write(file, PINNED);

        runner.withPropertyValues("keepwarm.policy-file=" + file).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(PolicyFileWatcher.class);
            Policies policies = context.getBean(PolicySource.class).current();
            assertThat(policies.rules()).extracting(ModelRule::match).containsExactly("llama3.2:1b");
            assertThat(policies.rule("phi4:14b")).isEmpty();
        });
    }

    @Test
    void editedPolicyFileIsReloadedWhileRunningAndListenersHearIt() {
        Path file = dir.resolve("policies.yml");
        write(file, PINNED);

        runner.withPropertyValues("keepwarm.policy-file=" + file, "keepwarm.policy-file-check-interval=20ms")
            .run(context -> {
                PolicySource source = context.getBean(PolicySource.class);
                List<Policies> heard = new CopyOnWriteArrayList<>();
                source.addListener(heard::add);

                write(file, PINNED_AND_QWEN);

                await().atMost(SHORT).until(() -> source.current().rule("qwen3:8b").isPresent());
                assertThat(heard).containsExactly(source.current());
                assertThat(reloads(context.getBean(MeterRegistry.class), "loaded")).isEqualTo(1);
                assertThat(reloads(context.getBean(MeterRegistry.class), "failed")).isZero();
            });
    }

    @Test
    void fileThatTheApplicationsValidatorRejectsKeepsTheRulesAndCountsAFailure() {
        Path file = dir.resolve("policies.yml");
        write(file, PINNED);

        runner.withPropertyValues("keepwarm.policy-file=" + file, "keepwarm.policy-file-check-interval=20ms")
            .run(context -> {
                PolicySource source = context.getBean(PolicySource.class);
                Policies before = source.current();
                MeterRegistry meters = context.getBean(MeterRegistry.class);

                // only @NotBlank catches a blank match
                write(file, oneRule("match: ' '", "keep-alive: 1h"));

                await().atMost(SHORT).until(() -> reloads(meters, "failed") == 1);
                assertThat(source.current()).isSameAs(before);
                assertThat(reloads(meters, "loaded")).isZero();
            });
    }

    @Test
    void watcherStopsWithTheContext() {
        Path file = dir.resolve("policies.yml");
        write(file, PINNED);

        runner.withPropertyValues("keepwarm.policy-file=" + file).run(context -> {
            PolicyFileWatcher watcher = context.getBean(PolicyFileWatcher.class);
            assertThat(watcher.isRunning()).isTrue();

            context.close();

            assertThat(watcher.isRunning()).isFalse();
        });
    }

    @Test
    void missingPolicyFileStopsStartUpNamingTheFile() {
        Path missing = dir.resolve("nowhere/policies.yml");

        StartupFailures.assertStartUpFails(runner.withPropertyValues("keepwarm.policy-file=" + missing),
                "keepwarm.policy-file", missing.toString(), "the file does not exist");
    }

    @Test
    void invalidPolicyFileStopsStartUpNamingTheFileAndTheProblem() {
        Path file = dir.resolve("policies.yml");
        write(file, oneRule("match: llama3.2:1b", "keep-alive: 5 minutes"));

        StartupFailures.assertStartUpFails(runner.withPropertyValues("keepwarm.policy-file=" + file),
                "keepwarm.policy-file", file.toString(),
                "keepwarm.policy.models[0].keep-alive = \"5 minutes\" (line 5)", "invalid keep-alive '5 minutes'");
    }

    @Test
    void keepAlivesWrittenAsYamlNumbersBind() {
        // YAML gives Integer or Double for 300, -1, 0 and 42.5, not the String that
        // KeepAlive.valueOf takes; a list's
        // elements bind from one property source, so the whole rule is in the one
        // standing in for application.yml
        Path file = dir.resolve("policies.yml");
        write(file, oneRule("match: llama3.2:1b", "keep-alive: -1",
                "schedule: {windows: ['MON 08:00-09:00'], off-hours-keep-alive: 0}"));
        ApplicationContextRunner yamlNumbers = runner.withInitializer(context -> context.getEnvironment()
            .getPropertySources()
            .addFirst(new MapPropertySource("application.yml",
                    Map.of("keepwarm.policy.models[0].match", "llama3.2:1b", "keepwarm.policy.models[0].keep-alive",
                            300, "keepwarm.policy.models[0].schedule.windows[0]", "MON 08:00-09:00",
                            "keepwarm.policy.models[0].schedule.off-hours-keep-alive", 42.5))));

        yamlNumbers.run(context -> {
            ModelRule rule = context.getBean(PolicySource.class).current().rules().get(0);
            assertThat(rule.keepAlive()).isEqualTo(KeepAlive.of(Duration.ofMinutes(5)));
            assertThat(rule.schedule()).isNotNull();
            assertThat(rule.schedule().offHoursKeepAlive()).isEqualTo(KeepAlive.of(Duration.ofMillis(42_500)));
        });
        yamlNumbers.withPropertyValues("keepwarm.policy-file=" + file).run(context -> {
            ModelRule rule = context.getBean(PolicySource.class).current().rules().get(0);
            assertThat(rule.keepAlive()).isEqualTo(KeepAlive.FOREVER);
            assertThat(rule.schedule()).isNotNull();
            assertThat(rule.schedule().offHoursKeepAlive()).isEqualTo(KeepAlive.ZERO);
        });
    }

    private static double reloads(MeterRegistry meters, String outcome) {
        return meters.get(PolicyFileWatcher.RELOADS).tag("outcome", outcome).counter().count();
    }

}
