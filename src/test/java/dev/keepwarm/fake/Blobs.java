package dev.keepwarm.fake;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The blobs the fake holds, as files under Ollama's {@code models/blobs}: digests and
 * sizes only, never the bytes. A digest is {@code sha256:<hex>} or {@code sha256-<hex>}
 * (both name one file, as in Ollama's {@code manifest.BlobsPath}).
 */
final class Blobs {

    /** Ollama's manifest.BlobsPath accepts only this. */
    private static final Pattern DIGEST = Pattern.compile("^sha256[:-][0-9a-fA-F]{64}$");

    /** Where Ollama keeps models when OLLAMA_MODELS is unset (running as root). */
    static final String MODELS_DIR = "/root/.ollama/models";

    private final Map<String, Long> sizes = new ConcurrentHashMap<>();

    /** Whether {@code digest} has the form Ollama accepts for a blob. */
    static boolean valid(String digest) {
        return DIGEST.matcher(digest).matches();
    }

    void add(String digest, long size) {
        sizes.put(file(digest), size);
    }

    boolean has(String digest) {
        return sizes.containsKey(file(digest));
    }

    /** The size of a held blob, or -1. */
    long size(String digest) {
        return sizes.getOrDefault(file(digest), -1L);
    }

    /** The held digests as {@code sha256:<hex>}, sorted. */
    Set<String> digests() {
        Set<String> digests = new TreeSet<>();
        sizes.keySet().forEach(file -> digests.add(file.replaceFirst("-", ":")));
        return digests;
    }

    /** Go's os.Open error for a blob that is not there. */
    static String missing(String digest) {
        return "open " + MODELS_DIR + "/blobs/" + digest.replace(':', '-') + ": no such file or directory";
    }

    /** The blob's file name: {@code sha256-<hex>}; hex case is kept, as on Linux. */
    private static String file(String digest) {
        return digest.replace(':', '-');
    }

}
