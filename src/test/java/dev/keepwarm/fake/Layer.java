package dev.keepwarm.fake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One layer of a model's manifest, as pull and push report it.
 *
 * @param digest {@code sha256:<hex>}
 * @param size bytes
 */
record Layer(String digest, long size) {

    /**
     * The layers of a model in manifest order, shaped like llama3.2's: the weights, the
     * template (completion models only), the license, the parameters, the config. Stable
     * per model name.
     */
    static List<Layer> of(ModelSpec spec) {
        String key = ModelNames.key(spec.name());
        List<Layer> layers = new ArrayList<>();
        layers.add(new Layer(sha256(key + "#model"), spec.sizeBytes()));
        if (!spec.embedding()) {
            layers.add(new Layer(sha256(key + "#template"), 1_429));
        }
        layers.add(new Layer(sha256(key + "#license"), 7_711));
        layers.add(new Layer(sha256(key + "#params"), 96));
        layers.add(new Layer(sha256(key + "#config"), 561));
        return layers;
    }

    /** The twelve hex digits Ollama shows, as in {@code pulling dde5aa3fc5ff}. */
    String shortDigest() {
        return digest.substring(7, 19);
    }

    static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
