package dev.keepwarm.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The configured keys as SHA-256 digests; keepwarm never holds a key itself. */
final class KeyRing {

    /**
     * A key that matched.
     *
     * @param name the key's configured name
     * @param scopes what it may do
     */
    record Holder(String name, Set<Scope> scopes) {

        boolean has(Scope needed) {
            return scopes.stream().anyMatch(scope -> scope.grants(needed));
        }
    }

    private record Entry(Holder holder, byte[] digest) {
    }

    private final List<Entry> entries;

    KeyRing(List<ApiKey> keys) {
        this.entries = keys.stream()
            .map(key -> new Entry(new Holder(key.name().strip(), key.scopes()),
                    HexFormat.of().parseHex(key.keySha256().strip().toLowerCase(java.util.Locale.ROOT))))
            .toList();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    List<String> names() {
        return entries.stream().map(entry -> entry.holder().name()).toList();
    }

    /**
     * The holder of the presented key. Every configured digest is compared in constant
     * time and the loop never stops early, so how long this takes says nothing about
     * which key matched, or how much of one.
     */
    Optional<Holder> find(String presented) {
        byte[] digest = sha256(presented);
        Holder found = null;
        for (Entry entry : entries) {
            boolean equal = MessageDigest.isEqual(digest, entry.digest());
            found = equal ? entry.holder() : found;
        }
        return Optional.ofNullable(found);
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

}
