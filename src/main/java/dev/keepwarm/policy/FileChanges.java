package dev.keepwarm.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Whether a file's content changed since the last look: modification time and size first,
 * so an unchanged file is not read, then a hash of the content, so a touched or re-synced
 * file with the same bytes is no change. Attributes follow symlinks: a ConfigMap's
 * swapped {@code ..data} link shows as a new time stamp.
 */
final class FileChanges {

    private final Path path;

    private @Nullable FileTime lastModified;

    private long lastSize = -1;

    private @Nullable String lastHash;

    FileChanges(Path path) {
        this.path = path;
    }

    /**
     * The content, when it differs from the content seen last time (the first look always
     * sees a change).
     * @throws java.nio.file.NoSuchFileException when the file is missing
     * @throws IOException when it cannot be read
     */
    Optional<byte[]> changedContent() throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        if (attributes.lastModifiedTime().equals(lastModified) && attributes.size() == lastSize) {
            return Optional.empty();
        }
        byte[] content = Files.readAllBytes(path);
        lastModified = attributes.lastModifiedTime();
        lastSize = attributes.size();
        String hash = sha256(content);
        if (hash.equals(lastHash)) {
            return Optional.empty();
        }
        lastHash = hash;
        return Optional.of(content);
    }

    /**
     * Makes the next look read the content whatever the time stamp says: for a file that
     * was gone.
     */
    void forgetTimestamp() {
        lastModified = null;
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

}
