package dev.keepwarm.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * Policy files for tests, each write with a later time stamp, as edits seconds apart
 * would have.
 */
final class PolicyFiles {

    static final String PINNED = """
            keepwarm:
              policy:
                models:
                  - match: llama3.2:1b
                    keep-alive: forever
                    warm: true
            """;

    static final String PINNED_AND_QWEN = PINNED + """
                  - match: qwen*
                    keep-alive: 30m
            """;

    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private static int writes;

    private PolicyFiles() {
    }

    /**
     * A file of one rule made of the YAML lines given
     * ({@code "match: llama3.2:1b", "keep-alive: 5 minutes"}).
     */
    static String oneRule(String... ruleLines) {
        StringBuilder yaml = new StringBuilder("keepwarm:\n  policy:\n    models:\n");
        for (int i = 0; i < ruleLines.length; i++) {
            yaml.append(i == 0 ? "      - " : "        ").append(ruleLines[i]).append('\n');
        }
        return yaml.toString();
    }

    static void write(Path file, String content) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, content);
            Files.setLastModifiedTime(file, FileTime.from(EPOCH.plusSeconds(++writes)));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
