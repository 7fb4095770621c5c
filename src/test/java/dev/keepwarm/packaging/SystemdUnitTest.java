package dev.keepwarm.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/systemd/keepwarm.service: the jar as user keepwarm after Ollama, hardened, and
 * clean for systemd.
 */
class SystemdUnitTest {

    private static final String UNIT_FILE = "deploy/systemd/keepwarm.service";

    private static final String UNIT = ProjectFiles.read(UNIT_FILE);

    /** Section -> key -> values (a key may repeat). */
    private static Map<String, Map<String, List<String>>> parse(String unit) {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> section = null;
        for (String raw : unit.lines().toList()) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = sections.computeIfAbsent(line.substring(1, line.length() - 1), name -> new LinkedHashMap<>());
                continue;
            }
            assertThat(section).as("key outside a section: %s", line).isNotNull();
            int equals = line.indexOf('=');
            assertThat(equals).as("not a key=value line: %s", line).isPositive();
            section.computeIfAbsent(line.substring(0, equals).strip(), key -> new ArrayList<>())
                .add(line.substring(equals + 1).strip());
        }
        return sections;
    }

    private static final Map<String, Map<String, List<String>>> SECTIONS = parse(UNIT);

    private static String value(String section, String key) {
        List<String> values = SECTIONS.getOrDefault(section, Map.of()).get(key);
        assertThat(values).as("[%s] %s", section, key).isNotNull();
        return values.get(values.size() - 1);
    }

    @Test
    void startsAfterOllamaAndPullsItIn() {
        assertThat(value("Unit", "After").split("\\s+")).contains("ollama.service");
        assertThat(value("Unit", "Wants").split("\\s+")).contains("ollama.service");
        assertThat(value("Install", "WantedBy")).isEqualTo("multi-user.target");
    }

    @Test
    void runsTheJarAsKeepwarmWithTheEtcConfiguration() {
        assertThat(value("Service", "User")).isEqualTo("keepwarm");
        assertThat(value("Service", "ExecStart")).contains("-jar /opt/keepwarm/keepwarm.jar")
            .contains("--spring.config.additional-location=optional:file:/etc/keepwarm/");
        assertThat(value("Service", "Restart")).isEqualTo("on-failure");
        // the image's memory settings, and the class-data cache of the install's training
        // run
        assertThat(value("Service", "Environment"))
            .isEqualTo("KEEPWARM_CACHE=-XX:SharedArchiveFile=/opt/keepwarm/keepwarm.jsa");
        assertThat(SECTIONS.get("Service").get("Environment"))
            .contains("\"JAVA_OPTS=-XX:+UseSerialGC -Xms64m -Xmx256m -XX:+ExitOnOutOfMemoryError\"");
        assertThat(value("Service", "ExecStart")).contains("$JAVA_OPTS $KEEPWARM_CACHE -jar");
        assertThat(value("Service", "SuccessExitStatus")).isEqualTo("143");
    }

    @Test
    void isHardened() {
        Map<String, List<String>> service = SECTIONS.get("Service");

        assertThat(value("Service", "NoNewPrivileges")).isEqualTo("yes");
        assertThat(value("Service", "ProtectSystem")).isEqualTo("strict");
        assertThat(value("Service", "ProtectHome")).isEqualTo("yes");
        assertThat(value("Service", "PrivateTmp")).isEqualTo("yes");
        assertThat(value("Service", "CapabilityBoundingSet")).isEmpty();
        assertThat(service).containsKeys("PrivateDevices", "ProtectKernelTunables", "RestrictAddressFamilies",
                "SystemCallFilter");
        // The JIT needs writable and executable memory: this setting would kill the JVM.
        assertThat(service).doesNotContainKey("MemoryDenyWriteExecute");
    }

    /**
     * {@code systemd-analyze verify} on a copy whose ExecStart runs this JVM instead of
     * /usr/bin/java (the one thing it checks on the machine), the rest unchanged. It
     * reports unknown keys and bad values as warnings with exit code 0, so any line
     * naming the unit fails the test; the control copy with a typo shows that such lines
     * appear.
     */
    @Test
    void systemdAnalyzeVerifyFindsNothing(@TempDir Path dir) throws IOException {
        Path systemdAnalyze = Tools.require("systemd-analyze", "systemd");

        Tools.Run clean = verify(systemdAnalyze, dir.resolve("clean"), UNIT);
        assertThat(clean.exitCode()).as(clean.output()).isZero();
        assertThat(clean.output().lines()).as("diagnostics").noneMatch(line -> line.contains("keepwarm.service"));

        Tools.Run typo = verify(systemdAnalyze, dir.resolve("typo"),
                UNIT.replace("ProtectSystem=strict", "ProtectSystem=strickt"));
        assertThat(typo.output()).contains("keepwarm.service").contains("strickt");
    }

    private static Tools.Run verify(Path systemdAnalyze, Path dir, String unit) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertThat(unit).contains("ExecStart=/usr/bin/java ");
        Files.createDirectories(dir);
        Path copy = dir.resolve("keepwarm.service");
        Files.writeString(copy, unit.replace("ExecStart=/usr/bin/java ", "ExecStart=" + java + " "));
        return Tools.run(dir, List.of(systemdAnalyze.toString(), "verify", copy.toString()));
    }

}
