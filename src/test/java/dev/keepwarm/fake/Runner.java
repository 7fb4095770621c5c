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

    /** When the load started (the memory is taken from then). */
    final Instant loadStartedAt;

    /** When the load completed; null until then. */
    Instant loadedAt;

    /**
     * When the latest stretch of in-flight requests began; meaningful while inFlight > 0.
     */
    private Instant busySince;

    /** In-flight time of the stretches that ended. */
    private Duration busy = Duration.ZERO;

    /** Requests granted on this runner. */
    private int requests;

    Runner(String key, ModelSpec spec, RunnerOptions options, Duration keepAlive, Instant loadStartedAt) {
        this.key = key;
        this.spec = spec;
        this.options = options;
        this.keepAlive = keepAlive;
        this.loadStartedAt = loadStartedAt;
    }

    /** A request is granted this runner at {@code now}. */
    void acquired(Instant now) {
        if (inFlight == 0) {
            busySince = now;
        }
        inFlight++;
        requests++;
    }

    /** A request on this runner finished at {@code now}. */
    void released(Instant now) {
        inFlight--;
        if (inFlight == 0) {
            busy = busy.plus(Duration.between(busySince, now));
        }
    }

    /**
     * This runner's stay in memory, ended at {@code unloaded} (null: still resident),
     * with the in-flight time up to {@code now}.
     */
    ResidencyInterval interval(Instant unloaded, Instant now) {
        Duration held = inFlight > 0 ? busy.plus(Duration.between(busySince, now)) : busy;
        return new ResidencyInterval(ModelNames.display(spec.name()), spec.sizeBytes(), loadStartedAt, loadedAt,
                unloaded, held, requests);
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
