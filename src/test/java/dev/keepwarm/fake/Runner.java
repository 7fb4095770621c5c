package dev.keepwarm.fake;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import reactor.core.Disposable;

/** One loaded (or loading) model runner. Guarded by the {@link Scheduler}'s lock. */
final class Runner {

    final String key;

    final ModelSpec spec;

    final RunnerOptions options;

    final List<Waiter> waiters = new ArrayList<>();

    Duration keepAlive;

    /**
     * Null until the first request on this runner finishes; /api/ps then shows now +
     * keep_alive.
     */
    Instant expiresAt;

    int inFlight;

    boolean loading = true;

    /**
     * Crashed but still listed by /api/ps (Ollama #17428/#17509); the next request for it
     * reloads it.
     */
    boolean dead;

    Disposable loadTimer;

    Runner(String key, ModelSpec spec, RunnerOptions options, Duration keepAlive) {
        this.key = key;
        this.spec = spec;
        this.options = options;
        this.keepAlive = keepAlive;
    }

    /**
     * Whether a request with {@code requested} options can use this runner without a
     * reload.
     */
    boolean serves(RunnerOptions requested) {
        return !dead && options.equals(requested);
    }

    boolean idle() {
        return !loading && inFlight == 0;
    }

    boolean expired(Instant now) {
        return idle() && expiresAt != null && !expiresAt.isAfter(now);
    }

    LoadedModel snapshot(Instant now) {
        Instant expiry = expiresAt != null ? expiresAt : KeepAlive.expiry(now, keepAlive);
        return new LoadedModel(ModelNames.display(spec.name()), keepAlive, expiry, options.contextLength(spec),
                spec.sizeBytes());
    }

}
