package dev.keepwarm.fake;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * Ollama's scheduler in miniature: which runners are resident, when they expire, and
 * loads done one at a time. Requests for a resident runner with the same options are
 * served at once; everything else queues for the single loader, which reloads on
 * different options and evicts the idle runner with the shortest keep_alive when
 * OLLAMA_MAX_LOADED_MODELS is reached. Expiry is judged against the injected clock
 * whenever state is read. Work that completes subscribers runs after the lock is
 * released.
 */
final class Scheduler {

    private final Clock clock;

    private final Settings settings;

    private final reactor.core.scheduler.Scheduler timer;

    private final Residency residency;

    private final Deque<Waiter> queue = new ArrayDeque<>();

    private final Map<String, Integer> loadCounts = new HashMap<>();

    private Runner loading;

    /**
     * Ollama #17408/#14407: the scheduler waits forever; no load starts, loaded runners
     * still serve.
     */
    private boolean wedged;

    Scheduler(Clock clock, Settings settings, reactor.core.scheduler.Scheduler timer) {
        this.clock = clock;
        this.settings = settings;
        this.timer = timer;
        this.residency = new Residency(clock);
    }

    /**
     * A lease on a runner for {@code spec} with {@code options}, loading it if needed;
     * cancel to give up.
     */
    Mono<Lease> acquire(ModelSpec spec, RunnerOptions options, Optional<Duration> keepAlive, long startNanos) {
        return Mono.create(sink -> {
            Waiter waiter = new Waiter(spec, options, keepAlive, startNanos, sink);
            sink.onCancel(() -> cancel(waiter));
            List<Runnable> effects = new ArrayList<>();
            synchronized (this) {
                Runner runner = residency.get(waiter.key);
                if (runner != null && runner.serves(options) && !runner.loading) {
                    grant(waiter, runner, effects);
                }
                else if (runner != null && runner.serves(options)) {
                    waiter.state = Waiter.State.LOADING;
                    waiter.runner = runner;
                    runner.waiters.add(waiter);
                }
                else {
                    queue.add(waiter);
                    drain(effects);
                }
            }
            effects.forEach(Runnable::run);
        });
    }

    /**
     * keep_alive 0 with nothing to generate: expire the model now if it is loaded; never
     * load it.
     */
    void unload(ModelSpec spec) {
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            Runner runner = residency.get(ModelNames.key(spec.name()));
            if (runner == null) {
                return;
            }
            runner.keepAlive = Duration.ZERO;
            runner.expiresAt = clock.instant();
            if (runner.idle()) {
                residency.remove(runner);
                drain(effects);
            }
        }
        effects.forEach(Runnable::run);
    }

    /**
     * The runner of a loaded model crashes; /api/ps keeps listing it (Ollama
     * #17428/#17509).
     */
    synchronized void kill(String model) {
        Runner runner = residency.get(ModelNames.key(model));
        if (runner == null || runner.loading) {
            throw new IllegalStateException(model + " is not loaded");
        }
        runner.dead = true;
    }

    /**
     * The scheduler deadlocks (true) or is restarted by a fix (false): while wedged no
     * queued load starts.
     */
    void wedged(boolean wedged) {
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            this.wedged = wedged;
            drain(effects);
        }
        effects.forEach(Runnable::run);
    }

    /**
     * What /api/ps lists now: resident runners (loading ones included), latest expiry
     * first.
     */
    synchronized List<LoadedModel> loaded() {
        return residency.snapshot();
    }

    /**
     * Every runner's stay in memory since the last reset (see {@link Residency#log()}).
     */
    synchronized List<ResidencyInterval> residencyLog() {
        return residency.log();
    }

    synchronized int loadCount(String model) {
        return loadCounts.getOrDefault(ModelNames.key(model), 0);
    }

    /** Forgets every runner, load count and waiting request; waiting requests fail. */
    void reset() {
        List<Waiter> dropped = new ArrayList<>();
        synchronized (this) {
            if (loading != null) {
                loading.loadTimer.dispose();
                dropped.addAll(loading.waiters);
                loading = null;
            }
            dropped.addAll(queue);
            queue.clear();
            residency.clear();
            loadCounts.clear();
            wedged = false;
            dropped.forEach(w -> w.state = Waiter.State.GONE);
        }
        dropped.forEach(w -> w.sink.error(new ApiError(500, "fake ollama was reset")));
    }

    /**
     * A request on {@code runner} finished: the expiry timer starts when the last one
     * does.
     */
    void release(Runner runner) {
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            runner.released(clock.instant());
            if (runner.inFlight == 0) {
                runner.expiresAt = KeepAlive.expiry(clock.instant(), runner.keepAlive);
            }
            drain(effects);
        }
        effects.forEach(Runnable::run);
    }

    private void cancel(Waiter waiter) {
        List<Runnable> effects = new ArrayList<>();
        Lease granted = null;
        synchronized (this) {
            switch (waiter.state) {
                case QUEUED -> queue.remove(waiter);
                case LOADING -> {
                    Runner runner = waiter.runner;
                    runner.waiters.remove(waiter);
                    if (runner.waiters.isEmpty() && runner == loading) {
                        abortLoad(runner, effects);
                    }
                }
                case GRANTED -> granted = waiter.lease;
                case GONE -> {
                }
            }
            waiter.state = Waiter.State.GONE;
        }
        effects.forEach(Runnable::run);
        if (granted != null) {
            granted.release();
        }
    }

    /** Ollama aborts a load whose requests all went away (issue #7408). */
    private void abortLoad(Runner runner, List<Runnable> effects) {
        runner.loadTimer.dispose();
        residency.remove(runner);
        loading = null;
        drain(effects);
    }

    private void loadFinished(Runner runner) {
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            if (loading != runner) {
                return;
            }
            loading = null;
            runner.loading = false;
            runner.loadedAt = clock.instant();
            loadCounts.merge(runner.key, 1, Integer::sum);
            List<Waiter> waiting = new ArrayList<>(runner.waiters);
            runner.waiters.clear();
            waiting.forEach(w -> grant(w, runner, effects));
            drain(effects);
        }
        effects.forEach(Runnable::run);
    }

    /**
     * Serves the queue head while no load runs; stops when the head must wait for a
     * runner to go idle.
     */
    private void drain(List<Runnable> effects) {
        while (!wedged && loading == null && !queue.isEmpty()) {
            Waiter head = queue.peek();
            Runner current = residency.get(head.key);
            if (current != null && current.serves(head.options)) {
                queue.poll();
                grant(head, current, effects);
                continue;
            }
            if (current != null) {
                if (!current.idle()) {
                    return;
                }
                residency.remove(current);
            }
            if (!residency.makeRoom(settings.maxLoadedModels())) {
                return;
            }
            queue.poll();
            startLoad(head);
        }
    }

    private void startLoad(Waiter waiter) {
        Runner runner = new Runner(waiter.key, waiter.spec, waiter.options,
                waiter.keepAlive.orElse(settings.defaultKeepAlive()), clock.instant());
        residency.add(runner);
        runner.waiters.add(waiter);
        waiter.state = Waiter.State.LOADING;
        waiter.runner = runner;
        loading = runner;
        runner.loadTimer = Mono.delay(waiter.spec.loadTime(), timer).subscribe(tick -> loadFinished(runner));
    }

    private void grant(Waiter waiter, Runner runner, List<Runnable> effects) {
        runner.acquired(clock.instant());
        waiter.keepAlive.ifPresent(k -> runner.keepAlive = k);
        Lease lease = new Lease(this, runner, System.nanoTime() - waiter.startNanos);
        waiter.state = Waiter.State.GRANTED;
        waiter.lease = lease;
        effects.add(() -> waiter.sink.success(lease));
    }

}
