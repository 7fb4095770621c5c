package dev.keepwarm.warmer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * Detects a warm model that keeps being thrown out and re-loaded (pinned set larger than
 * Ollama can hold, or clients with another num_ctx: OLLAMA-API.md, "Loads that throw a
 * pinned model out") and computes an exponential back-off so the warmer never fights
 * Ollama's scheduler in a tight loop.
 */
final class ThrashTracker {

    private final int reloads;

    private final Duration window;

    private final Duration baseBackoff;

    private final Duration maxBackoff;

    private final Map<String, History> histories = new ConcurrentHashMap<>();

    ThrashTracker(WarmerProperties.Thrash thrash, Duration interval) {
        this.reloads = thrash.reloads();
        this.window = thrash.window();
        this.baseBackoff = interval;
        this.maxBackoff = thrash.maxBackoff();
    }

    /**
     * Records a load the warmer caused. The first load of a model is not a re-load.
     * @return the instant before which the model must not be pinged again, or null when
     * it is not thrashing
     */
    synchronized @Nullable Instant recordLoad(String model, Instant now) {
        if (histories.size() >= WarmState.MAX_MODELS && !histories.containsKey(model)) {
            // quiet histories go first; bounded like the state
            histories.values().removeIf(h -> h.reloads.isEmpty());
            if (histories.size() >= WarmState.MAX_MODELS) {
                histories.clear();
            }
        }
        History history = histories.computeIfAbsent(model, m -> new History());
        if (!history.loadedOnce) {
            history.loadedOnce = true;
            return null;
        }
        history.reloads.addLast(now);
        prune(history, now);
        if (history.reloads.size() < reloads) {
            return null;
        }
        Duration backoff = baseBackoff.multipliedBy(1L << Math.min(history.level, 20));
        history.level++;
        return now.plus(backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff);
    }

    /** Forgets a model's history (Ollama does not have it). */
    void forget(String model) {
        histories.remove(model);
    }

    /**
     * Whether the model re-loaded often enough within the window to count as thrashing
     * now.
     */
    synchronized boolean thrashing(String model, Instant now) {
        History history = histories.get(model);
        if (history == null) {
            return false;
        }
        prune(history, now);
        if (history.reloads.isEmpty()) {
            history.level = 0; // a full quiet window: start the back-off from the bottom
                               // again
        }
        return history.reloads.size() >= reloads;
    }

    private void prune(History history, Instant now) {
        while (!history.reloads.isEmpty() && history.reloads.peekFirst().isBefore(now.minus(window))) {
            history.reloads.removeFirst();
        }
    }

    private static final class History {

        private final Deque<Instant> reloads = new ArrayDeque<>();

        private boolean loadedOnce;

        private int level;

    }

}
