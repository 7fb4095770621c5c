package dev.keepwarm.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.validation.beanvalidation.LocalValidatorFactoryBean;

import static dev.keepwarm.policy.PolicyFiles.PINNED;
import static dev.keepwarm.policy.PolicyFiles.PINNED_AND_QWEN;
import static dev.keepwarm.policy.PolicyFiles.oneRule;
import static dev.keepwarm.policy.PolicyFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reloading the policy file: what counts as a change, what a bad file does, and the
 * thread that polls.
 */
@ExtendWith(OutputCaptureExtension.class)
class PolicyFileWatcherTest {

    @TempDir
    Path dir;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final List<Policies> heard = new ArrayList<>();

    private final LocalValidatorFactoryBean validator = new LocalValidatorFactoryBean();

    private Path file;

    private PolicyFile policyFile;

    private PolicySource source;

    private Policies atStartUp;

    private PolicyFileWatcher watcher;

    @BeforeEach
    void loadTheFileAsAtStartUp() {
        validator.afterPropertiesSet();
        file = dir.resolve("policies.yml");
        write(file, PINNED);
        policyFile = new PolicyFile(file, validator);
        atStartUp = policyFile.load();
        source = new PolicySource(atStartUp);
        source.addListener(heard::add);
        watcher = new PolicyFileWatcher(policyFile, source, Duration.ofSeconds(5), meters);
        watcher.checkNow(); // the first look, at the file loaded at start-up
    }

    @AfterEach
    void close() {
        watcher.stop();
        validator.close();
    }

    @Test
    void firstLookAtTheFileLoadedAtStartUpChangesNothing() {
        assertThat(source.current()).isSameAs(atStartUp);
        assertThat(heard).isEmpty();
        assertThat(reloads("loaded")).isZero();
        assertThat(reloads("failed")).isZero();
    }

    @Test
    void editedFileReplacesThePoliciesAndTellsTheListeners(CapturedOutput output) {
        write(file, PINNED_AND_QWEN);

        watcher.checkNow();

        assertThat(source.current().rule("qwen3:8b")).map(ModelRule::match).contains("qwen*");
        assertThat(heard).containsExactly(source.current());
        assertThat(reloads("loaded")).isEqualTo(1);
        assertThat(reloads("failed")).isZero();
        assertThat(output).contains("Loaded policies from " + file + ": 2 rules, no default");
    }

    @Test
    void fileWithAnEmptyRuleListClearsTheRules() {
        write(file, "keepwarm:\n  policy:\n    models: []\n");

        watcher.checkNow();

        assertThat(source.current().rules()).isEmpty();
        assertThat(reloads("loaded")).isEqualTo(1);
    }

    @Test
    void touchedFileWithTheSameContentIsNoChange() throws IOException {
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 60_000));

        watcher.checkNow();

        assertThat(source.current()).isSameAs(atStartUp);
        assertThat(heard).isEmpty();
        assertThat(reloads("loaded")).isZero();
    }

    @Test
    void editThatLeavesThePoliciesEqualIsNoReload() {
        write(file, "# pinned for the demo\n" + PINNED.replace("forever", "-1"));

        watcher.checkNow();

        assertThat(source.current()).isSameAs(atStartUp);
        assertThat(heard).isEmpty();
        assertThat(reloads("loaded")).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|',
            textBlock = """
                    bad duration       | keep-alive: 5 minutes                                   | keepwarm.policy.models[0].keep-alive = "5 minutes" (line 5): invalid keep-alive '5 minutes'
                    min > max          | keep-alive: 1h;mode: clamp;min: 2h;max: 1h               | keepwarm.policy.models[0]: policy 'llama3.2:1b': min (2h) is greater than max (1h)
                    unknown kind       | keep-alive: 1h;kind: chat                                | keepwarm.policy.models[0].kind = "chat" (line 6): No enum constant
                    unknown kind       | keep-alive: 1h;kind: chat                                | (valid values: auto, generate, embedding)
                    bad window         | keep-alive: 1h;schedule: {windows: ['MON-FRI 8-18']}     | keepwarm.policy.models[0].schedule: invalid schedule window "MON-FRI 8-18"
                    pinned off hours 0 | keep-alive: 1h;allow-unload: false;schedule: {windows: ['MON 08:00-09:00'], off-hours-keep-alive: 0} | allow-unload false needs an off-hours-keep-alive other than 0
                    """)
    void invalidRuleKeepsThePoliciesLoadedBeforeAndIsReportedOnce(String name, String ruleLines, String problem,
            CapturedOutput output) {
        write(file, oneRule(("match: llama3.2:1b;" + ruleLines).split(";")));

        watcher.checkNow();
        watcher.checkNow();

        assertKeptWithOneWarning(output, "is invalid, keeping the policies loaded before: ", problem);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not YAML            | 'keepwarm: [policy'                              | not valid YAML:
            tab-indented YAML   | 'keepwarm:\\n\\tpolicy: {}'                       | not valid YAML:
            no keepwarm.policy  | 'keepwarm:\\n  upstream:\\n    url: http://x'      | it has no keepwarm.policy section
            empty file          | ''                                               | it has no keepwarm.policy section
            """)
    void unusableFileKeepsThePoliciesLoadedBefore(String name, String content, String problem, CapturedOutput output) {
        write(file, content.replace("\\n", "\n").replace("\\t", "\t"));

        watcher.checkNow();

        assertKeptWithOneWarning(output, "is invalid, keeping the policies loaded before: ", problem);
    }

    @Test
    void blankMatchIsRejectedByTheValidator(CapturedOutput output) {
        // ModelRule's own checks skip a blank match: only JSR-303 (@NotBlank) catches it
        write(file, oneRule("match: ' '", "keep-alive: 1h"));

        watcher.checkNow();

        assertKeptWithOneWarning(output, "is invalid, keeping the policies loaded before: ",
                "keepwarm.policy.models[0].match = \" \" (line 4): must not be blank");
    }

    @Test
    void brokenFileIsReportedAgainOnlyWhenItChanges() throws IOException {
        write(file, oneRule("match: llama3.2:1b", "keep-alive: 5 minutes"));
        watcher.checkNow();
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 60_000));
        watcher.checkNow();
        assertThat(reloads("failed")).isEqualTo(1);

        write(file, oneRule("match: llama3.2:1b", "keep-alive: 6 minutes"));
        watcher.checkNow();

        assertThat(reloads("failed")).isEqualTo(2);
        assertThat(source.current()).isSameAs(atStartUp);
    }

    @Test
    void fixedFileIsLoadedAfterABrokenOne() {
        write(file, oneRule("match: llama3.2:1b", "keep-alive: 5 minutes"));
        watcher.checkNow();

        write(file, PINNED_AND_QWEN);
        watcher.checkNow();

        assertThat(source.current().rule("qwen3:8b")).isPresent();
        assertThat(reloads("failed")).isEqualTo(1);
        assertThat(reloads("loaded")).isEqualTo(1);
    }

    @Test
    void deletedFileKeepsThePoliciesWithOneWarningUntilItIsBack(CapturedOutput output) throws IOException {
        Files.delete(file);

        watcher.checkNow();
        watcher.checkNow();

        assertKeptWithOneWarning(output, "is unusable, keeping the policies loaded before: ", "it does not exist");

        write(file, PINNED);
        watcher.checkNow();
        assertThat(output).contains("Policy file " + file + " can be read again");
        assertThat(source.current()).isSameAs(atStartUp);
        assertThat(reloads("loaded")).isZero();

        write(file, PINNED_AND_QWEN);
        watcher.checkNow();
        assertThat(source.current().rule("qwen3:8b")).isPresent();
    }

    @Test
    void configMapSymlinkSwapIsSeen() throws IOException {
        // kubelet's layout: policies.yml -> ..data/policies.yml, ..data -> ..<timestamp>,
        // swapped by a rename
        Path mount = dir.resolve("configmap");
        write(mount.resolve("..v1/policies.yml"), PINNED);
        Files.createSymbolicLink(mount.resolve("..data"), Path.of("..v1"));
        Path linked = Files.createSymbolicLink(mount.resolve("policies.yml"), Path.of("..data/policies.yml"));
        PolicyFile linkedFile = new PolicyFile(linked, validator);
        PolicySource linkedSource = new PolicySource(linkedFile.load());
        PolicyFileWatcher linkedWatcher = new PolicyFileWatcher(linkedFile, linkedSource, Duration.ofSeconds(5), null);
        linkedWatcher.checkNow();

        write(mount.resolve("..v2/policies.yml"), PINNED_AND_QWEN);
        Files.createSymbolicLink(mount.resolve("..data_tmp"), Path.of("..v2"));
        Files.move(mount.resolve("..data_tmp"), mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        linkedWatcher.checkNow();

        assertThat(linkedSource.current().rule("qwen3:8b")).isPresent();
    }

    @Test
    void runningWatcherChecksOnADaemonThreadAndStopsCleanly() {
        PolicyFileWatcher running = new PolicyFileWatcher(policyFile, source, Duration.ofMillis(20), null);
        running.start();
        try {
            assertThat(running.isRunning()).isTrue();
            write(file, PINNED_AND_QWEN);

            await().atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> source.current().rule("qwen3:8b").isPresent());
            assertThat(watcherThreads()).isNotEmpty().allMatch(Thread::isDaemon);
        }
        finally {
            running.stop();
        }
        assertThat(running.isRunning()).isFalse();
        await().atMost(Duration.ofSeconds(1))
            .pollInterval(Duration.ofMillis(10))
            .until(() -> watcherThreads().isEmpty());
    }

    private void assertKeptWithOneWarning(CapturedOutput output, String warning, String problem) {
        assertThat(source.current()).isSameAs(atStartUp);
        assertThat(heard).isEmpty();
        assertThat(reloads("failed")).isEqualTo(1);
        assertThat(reloads("loaded")).isZero();
        String logged = "Policy file " + file + " " + warning;
        assertThat(output.getOut()).contains(logged).contains(problem);
        assertThat(Pattern.compile("WARN.*" + Pattern.quote(logged)).matcher(output.getOut()).results().count())
            .as("WARN lines")
            .isEqualTo(1);
    }

    private double reloads(String outcome) {
        return meters.get(PolicyFileWatcher.RELOADS).tag("outcome", outcome).counter().count();
    }

    private static Set<Thread> watcherThreads() {
        return Thread.getAllStackTraces()
            .keySet()
            .stream()
            .filter(thread -> thread.getName().equals("keepwarm-policy-file") && thread.isAlive())
            .collect(Collectors.toSet());
    }

}
