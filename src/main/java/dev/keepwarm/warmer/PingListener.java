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
}
