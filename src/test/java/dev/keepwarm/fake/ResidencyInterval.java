package dev.keepwarm.fake;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One stay of a model runner in memory, for the benchmark's memory-time accounting: from
 * the start of its load to its unload (expiry, eviction, an unload request, a reload on
 * other options, an aborted load), with the time some request held it.
 *
 * @param name display name, e.g. {@code llama3.2:latest}
 * @param sizeBytes bytes the runner holds ({@code size_vram})
 * @param loadStarted when its load started: the memory is taken from then
 * @param loaded when its load completed; null while loading or when the load was aborted
 * @param unloaded when it left memory (for an expiry: the expiry instant, not when the
 * fake noticed); null while still resident
 * @param busy how long at least one request was in flight on it (up to now for a request
 * still in flight)
 * @param requests how many requests (pings included) it served
 */
public record ResidencyInterval(String name, long sizeBytes, Instant loadStarted, @Nullable Instant loaded,
        @Nullable Instant unloaded, Duration busy, int requests) {

    /** Whether the runner is still in memory. */
    public boolean resident() {
        return unloaded == null;
    }

}
