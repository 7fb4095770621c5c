package dev.keepwarm.ollama;

import java.time.Duration;
import java.time.Instant;

/**
 * One entry of GET /api/ps.
 *
 * @param name as Ollama names it, e.g. {@code llama3.2:latest}
 * @param expiresAt when Ollama will unload it; about 292 years ahead for forever
 * @param sizeVram bytes in GPU memory
 * @param contextLength the runner's context (num_ctx after capping)
 */
public record RunningModel(String name, Instant expiresAt, long sizeVram, int contextLength) {

    /**
     * Ollama's own CLI treats an expiry more than 20 years ahead as forever
     * (OLLAMA-API.md, "GET /api/ps").
     */
    private static final Duration FOREVER_HORIZON = Duration.ofDays(365L * 20);

    public boolean forever(Instant now) {
        return expiresAt.isAfter(now.plus(FOREVER_HORIZON));
    }
}
