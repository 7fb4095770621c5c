package dev.keepwarm.fake;

import java.time.Duration;
import java.time.Instant;

/**
 * A model resident in the fake Ollama, as {@code GET /api/ps} lists it.
 *
 * @param name display name, e.g. {@code llama3.2:latest}
 * @param keepAlive the runner's keep_alive setting; negative means forever
 * ({@link #FOREVER})
 * @param expiresAt when the runner expires; stale while requests are in flight, like
 * Ollama's
 * @param contextLength the runner's context length ({@code num_ctx})
 * @param sizeVram bytes of VRAM the runner uses
 */
public record LoadedModel(String name, Duration keepAlive, Instant expiresAt, int contextLength, long sizeVram) {

    /**
     * How the fake reports a keep_alive of forever (Ollama stores it as max int64
     * nanoseconds).
     */
    public static final Duration FOREVER = Duration.ofSeconds(-1);

    /** Whether the model is pinned (keep_alive negative). */
    public boolean forever() {
        return keepAlive.isNegative();
    }
}
