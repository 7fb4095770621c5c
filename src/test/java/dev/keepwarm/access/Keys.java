package dev.keepwarm.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Test keys and their hashes, computed the way the README tells users to:
 * {@code printf %s "$KEY" | sha256sum}.
 */
final class Keys {

    static final String INFERENCE_KEY = "kw-test-inference-7f3a9c";
    static final String ADMIN_KEY = "kw-test-admin-51d2e8";

    private Keys() {
    }

    static String sha256(String key) {
        try {
            return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
