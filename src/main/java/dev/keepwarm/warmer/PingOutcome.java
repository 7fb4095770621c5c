package dev.keepwarm.warmer;

import dev.keepwarm.policy.Tagged;

/** How a warmer ping ended; a bounded set, used as a metric tag. */
public enum PingOutcome implements Tagged {

    /** Ollama answered: the model is loaded with the pinned keep_alive. */
    LOADED,
    /** The ping failed (Ollama down, model missing, load error). */
    FAILED,
    /**
     * The model needed a ping but was backing off (thrashing) or the circuit breaker was
     * open.
     */
    SKIPPED

}
