package dev.keepwarm.ollama;

import java.time.Duration;

/**
 * What a load ping answered.
 *
 * @param doneReason {@code load} for a generate ping; {@code embed} for an embed ping (which has none)
 * @param took wall time of the call: a load ping carries no timings (OLLAMA-API.md, "Load-only ... ping")
 */
public record PingResult(String doneReason, Duration took) {
}
