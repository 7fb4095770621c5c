package dev.keepwarm.fleet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

import dev.keepwarm.policy.ModelName;

/**
 * Highest-random-weight (rendezvous) hashing of a model name over host names, issue 13's
 * "chosen by rendezvous hashing of the model name over healthy hosts, so every keepwarm
 * replica sends the same model to the same host". A host's weight for a model is
 * FNV-1a-64 of the UTF-8 bytes of {@code host + "\u0000" + normalized model}, passed
 * through MurmurHash3's 64-bit finalizer ({@code fmix64}) for avalanche; weights compare
 * unsigned, highest first, equal weights by host name. Nothing here depends on the JVM,
 * {@link String#hashCode()} or map order, so every replica computes the same order: the
 * golden values in the test pin it, and changing the hash is a fleet-wide change.
 */
public final class Rendezvous {

    private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;

    private static final long FNV_PRIME = 0x100000001b3L;

    private Rendezvous() {
    }

    /**
     * The hosts in preference order for the model (its {@link ModelName#normalize
     * normalized} name), the most preferred first; duplicates appear once. Removing a
     * host moves only the models it was first for.
     */
    public static List<String> order(String model, Collection<String> hosts) {
        String name = ModelName.normalize(model);
        record Weighted(String host, long weight) {
        }
        List<Weighted> weighted = new ArrayList<>();
        for (String host : new LinkedHashSet<>(hosts)) {
            weighted.add(new Weighted(host, weight(host, name)));
        }
        Comparator<Weighted> heaviestFirst = (a, b) -> Long.compareUnsigned(b.weight(), a.weight());
        weighted.sort(heaviestFirst.thenComparing(Weighted::host));
        return weighted.stream().map(Weighted::host).toList();
    }

    /** The host's weight for an already normalized model name. */
    static long weight(String host, String normalizedModel) {
        return fmix64(fnv1a64(host + '\u0000' + normalizedModel));
    }

    static long fnv1a64(String text) {
        long hash = FNV_OFFSET_BASIS;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= FNV_PRIME;
        }
        return hash;
    }

    /** MurmurHash3's finalizer: every input bit affects every output bit. */
    static long fmix64(long value) {
        long k = value;
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

}
