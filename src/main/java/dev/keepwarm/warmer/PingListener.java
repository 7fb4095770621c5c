package dev.keepwarm.warmer;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/** Told about every warmer ping as it ends (metrics count them); must not block. */
@FunctionalInterface
public interface PingListener {

    /**
     * @param model the model pinged
     * @param outcome how it ended
     * @param took wall time of the ping, null when it was not sent
     * @param loaded whether the model was not resident before, so the ping loaded it
     */
    void pinged(String model, PingOutcome outcome, @Nullable Duration took, boolean loaded);

    /**
     * A verification ping of a model /api/ps listed as pinned ended (counted apart from
     * the pings that load).
     * @param model the model pinged
     * @param outcome how it ended
     * @param took wall time of the ping (a load's time when Ollama found the runner dead
     * and reloaded it), or null
     */
    default void verified(String model, PingOutcome outcome, @Nullable Duration took) {
    }

    /**
     * A ping on the named host ended:
     * {@link #pinged(String, PingOutcome, Duration, boolean)} unless a listener cares for
     * the host (a fleet's meters tag it).
     */
    default void pinged(String host, String model, PingOutcome outcome, @Nullable Duration took, boolean loaded) {
        pinged(model, outcome, took, loaded);
    }

    /** A verification ping on the named host ended. */
    default void verified(String host, String model, PingOutcome outcome, @Nullable Duration took) {
        verified(model, outcome, took);
    }

}
