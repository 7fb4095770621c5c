package dev.keepwarm.packaging;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * External tools (docker-compose, promtool, systemd-analyze): found on PATH, run with a
 * time limit.
 */
final class Tools {

    private Tools() {
    }

    /** What a finished command did: its exit code and its stdout and stderr, merged. */
    record Run(int exitCode, String output) {
    }

    static Optional<Path> find(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Arrays.stream(path.split(File.pathSeparator))
            .filter(dir -> !dir.isEmpty())
            .map(dir -> Path.of(dir, tool))
            .filter(Files::isExecutable)
            .findFirst();
    }

    /** The tool, or the test is skipped with a message saying how CI gets it. */
    static Path require(String tool, String debianPackage) {
        Optional<Path> found = find(tool);
        assumeThat(found)
            .as("%s is not on PATH: skipped here; CI installs it (apt-get install %s)", tool, debianPackage)
            .isPresent();
        return found.get();
    }

    static Run run(Path workingDirectory, List<String> command) {
        try {
            Path output = Files.createTempFile("keepwarm-tool", ".log");
            try {
                Process process = new ProcessBuilder(command).directory(workingDirectory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
                process.getOutputStream().close(); // no input: CI runs without a terminal
                if (!process.waitFor(2, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new AssertionError(command + " did not finish within 2 minutes");
                }
                return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
            }
            finally {
                Files.deleteIfExists(output);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

}
