package dev.keepwarm.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * A keepwarm.policy-file for a running test context: created once, replaced atomically as
 * an editor would.
 */
public final class WatchedPolicyFile {

    private final Path file;

    private WatchedPolicyFile(Path file) {
        this.file = file;
    }

    /** A new file in a temporary directory holding the content. */
    public static WatchedPolicyFile create(String content) {
        try {
            WatchedPolicyFile created = new WatchedPolicyFile(
                    Files.createTempDirectory("keepwarm-policies").resolve("policies.yml"));
            Files.writeString(created.file, content);
            return created;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A schedule window in UTC from an hour before the instant to an hour after it ("WED
     * 08:00-10:00").
     */
    public static String windowAround(Instant now) {
        ZonedDateTime at = now.atZone(ZoneOffset.UTC);
        ZonedDateTime start = at.minusHours(1);
        String day = start.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ROOT).toUpperCase(Locale.ROOT);
        return String.format("%s %02d:%02d-%02d:%02d", day, start.getHour(), start.getMinute(),
                at.plusHours(1).getHour(), at.plusHours(1).getMinute());
    }

    public Path path() {
        return file;
    }

    /**
     * Swaps the content in with one rename, so the watcher never reads a half-written
     * file.
     */
    public void replace(String content) {
        try {
            Path next = file.resolveSibling("next.yml");
            Files.writeString(next, content);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
