package dev.keepwarm.fake;

import java.time.Duration;
import java.util.Objects;

/**
 * A model the fake Ollama knows (as if pulled): what {@code /api/tags} lists and what can
 * be loaded.
 *
 * @param name model name as Ollama shows it ({@code llama3.2} is stored as
 * {@code llama3.2:latest})
 * @param loadTime how long a cold load takes (a real, non-blocking delay)
 * @param embedding {@code true} for an embedding-only model (no {@code completion}
 * capability)
 * @param sizeBytes size of the model in bytes, reported as {@code size} and
 * {@code size_vram}
 * @param defaultContextLength context length of a runner loaded without
 * {@code options.num_ctx} (Ollama's {@code OLLAMA_CONTEXT_LENGTH})
 */
public record ModelSpec(String name, Duration loadTime, boolean embedding, long sizeBytes, int defaultContextLength) {

    /**
     * Load time of {@link #of(String)}: long enough to tell a cold start from a warm one,
     * short for tests.
     */
    public static final Duration DEFAULT_LOAD_TIME = Duration.ofMillis(100);

    /** Size of {@link #of(String)}: that of llama3.2:3b Q4_K_M. */
    public static final long DEFAULT_SIZE_BYTES = 2_019_393_189L;

    /** Ollama's default context length. */
    public static final int DEFAULT_CONTEXT_LENGTH = 4096;

    public ModelSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(loadTime, "loadTime");
        if (name.isBlank()) {
            throw new IllegalArgumentException("model name must not be blank");
        }
        if (loadTime.isNegative()) {
            throw new IllegalArgumentException("loadTime must not be negative: " + loadTime);
        }
        if (sizeBytes <= 0) {
            throw new IllegalArgumentException("sizeBytes must be positive: " + sizeBytes);
        }
        if (defaultContextLength <= 0) {
            throw new IllegalArgumentException("defaultContextLength must be positive: " + defaultContextLength);
        }
    }

    /** A completion model with the default load time, size and context length. */
    public static ModelSpec of(String name) {
        return new ModelSpec(name, DEFAULT_LOAD_TIME, false, DEFAULT_SIZE_BYTES, DEFAULT_CONTEXT_LENGTH);
    }

    /**
     * An embedding-only model (like nomic-embed-text) with the default load time and
     * context length.
     */
    public static ModelSpec embeddingModel(String name) {
        return new ModelSpec(name, DEFAULT_LOAD_TIME, true, 274_302_450L, DEFAULT_CONTEXT_LENGTH);
    }

    /** This model with another load time. */
    public ModelSpec withLoadTime(Duration time) {
        return new ModelSpec(name, time, embedding, sizeBytes, defaultContextLength);
    }

    /** This model with another size. */
    public ModelSpec withSizeBytes(long bytes) {
        return new ModelSpec(name, loadTime, embedding, bytes, defaultContextLength);
    }

    /** This model with another default context length. */
    public ModelSpec withDefaultContextLength(int length) {
        return new ModelSpec(name, loadTime, embedding, sizeBytes, length);
    }
}
