package dev.keepwarm.warmer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

import dev.keepwarm.ollama.OllamaClient;
import dev.keepwarm.ollama.OllamaException;
import dev.keepwarm.ollama.UpstreamProperties;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.LoadRoute;
import dev.keepwarm.policy.ModelRule;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Sends one load ping for a warm model and records what happened: state, load time,
 * thrash back-off. Shared by the reconcile loop, the /v1 guard and finishing abandoned
 * loads, so every ping is accounted for the same way.
 */
final class Pinger {

    private static final Logger log = LoggerFactory.getLogger(Pinger.class);

    /** The key of a log event's model, a field of structured (JSON) logs. */
    static final String MODEL = "model";

    /** The key of a log event's Ollama host. */
    static final String HOST = "host";

    private final OllamaClient ollama;

    private final WarmState state;

    private final ThrashTracker thrash;

    private final Clock clock;

    private final Duration pingTimeout;

    private final Map<String, Boolean> embeddingOnly = new ConcurrentHashMap<>();

    private final List<PingListener> listeners;

    /** The host's name, as listeners are told. */
    private final String host;

    Pinger(OllamaClient ollama, WarmState state, ThrashTracker thrash, Clock clock, Duration pingTimeout,
            List<PingListener> listeners) {
        this(ollama, state, thrash, clock, pingTimeout, listeners, "default");
    }

    Pinger(OllamaClient ollama, WarmState state, ThrashTracker thrash, Clock clock, Duration pingTimeout,
            List<PingListener> listeners, String host) {
        this.host = host;
        this.listeners = List.copyOf(listeners);
        this.ollama = ollama;
        this.state = state;
        this.thrash = thrash;
        this.clock = clock;
        this.pingTimeout = pingTimeout;
    }

    /** The name of the host this pinger pings (a log line's {@code host} field). */
    String host() {
        return host;
    }

    /**
     * Pings the model with its rule's keep-alive and options; never fails (a failure is
     * recorded in the state).
     * @return the outcome
     */
    Mono<PingOutcome> ping(String model, ModelRule rule, PingPurpose purpose) {
        KeepAlive keepAlive = rule.keepAlive() != null ? rule.keepAlive() : KeepAlive.FOREVER;
        return Mono.defer(() -> {
            boolean wasResident = state.model(model).map(ModelState::resident).orElse(false);
            boolean verify = purpose == PingPurpose.VERIFY;
            return embedding(model, rule.kind()).flatMap(embedding -> send(model, keepAlive, rule, embedding))
                .timeout(pingTimeout)
                .map(took -> {
                    PingOutcome outcome = succeeded(model, keepAlive, wasResident || verify ? null : took);
                    if (!wasResident) {
                        // a load went through Ollama's scheduler: it is not wedged
                        state.loadCompleted();
                    }
                    state.answered(model);
                    tell(model, outcome, took, !wasResident, verify);
                    return outcome;
                })
                .onErrorResume(error -> {
                    if (error instanceof OllamaException) {
                        state.answered(model);
                    }
                    PingOutcome outcome = failed(model, error);
                    tell(model, outcome, null, false, verify);
                    return Mono.just(outcome);
                });
        });
    }

    private void tell(String model, PingOutcome outcome, @Nullable Duration took, boolean loaded, boolean verify) {
        if (!state.model(model).isPresent()) {
            return; // a name Ollama does not know: forgotten, and not counted under a tag
        }
        for (PingListener listener : listeners) {
            if (verify) {
                listener.verified(host, model, outcome, took);
            }
            else {
                listener.pinged(host, model, outcome, took, loaded);
            }
        }
    }

    /**
     * A ping that was due but held back (thrash back-off): recorded and reported as
     * skipped.
     */
    void skip(String model) {
        state.update(model, s -> s.skipped(clock.instant()));
        listeners.forEach(listener -> listener.pinged(host, model, PingOutcome.SKIPPED, null, false));
    }

    private Mono<Duration> send(String model, KeepAlive keepAlive, ModelRule rule, boolean embedding) {
        return send(model, keepAlive, rule.runnerOptions(), embedding);
    }

    private Mono<Duration> send(String model, KeepAlive keepAlive, Map<String, String> runnerOptions,
            boolean embedding) {
        return ollama.ping(model, keepAlive, runnerOptions, embedding).onErrorResume(OllamaException.class, error -> {
            // an embedding model /api/show did not reveal
            if (!embedding && error.unsupportedGenerate()) {
                embeddingOnly.put(model, true);
                return ollama.ping(model, keepAlive, runnerOptions, true);
            }
            return Mono.error(error);
        });
    }

    /**
     * Loads a model in adaptive mode shortly before its next use is expected, held for
     * {@code hold}: not a warm rule's ping, so the warm state, thrash detection and ping
     * listeners are not told.
     * @param runnerOptions the policy's options that shape the runner, so the request
     * that follows does not reload it
     * @return how long Ollama took to answer; fails as the ping failed
     */
    Mono<Duration> prewarm(String model, KeepAlive hold, Map<String, String> runnerOptions) {
        return embedding(model, LoadRoute.AUTO).flatMap(embedding -> send(model, hold, runnerOptions, embedding))
            .timeout(pingTimeout);
    }

    /**
     * The rule's kind, or for auto: asks /api/show once per model whether it only embeds
     * (pinged via /api/embed).
     */
    private Mono<Boolean> embedding(String model, LoadRoute kind) {
        if (kind != LoadRoute.AUTO) {
            return Mono.just(kind == LoadRoute.EMBEDDING);
        }
        if (embeddingOnly.size() >= WarmState.MAX_MODELS) {
            embeddingOnly.clear(); // a cache of /api/show answers, bounded like the state
        }
        Boolean known = embeddingOnly.get(model);
        if (known != null) {
            return Mono.just(known);
        }
        return ollama.embeddingOnly(model)
            .doOnNext(answer -> embeddingOnly.put(model, answer))
            .onErrorResume(OllamaException.class, error -> Mono.just(false));
    }

    /**
     * The keep-alive a demoted copy is re-armed with: Ollama's default OLLAMA_KEEP_ALIVE.
     * A ping without keep_alive would not do: Ollama leaves a loaded runner's keep-alive
     * as it is when a request sets none (server/sched.go, useLoadedRunner), so a pinned
     * copy would stay pinned.
     */
    static final KeepAlive DEMOTED = KeepAlive.of(Duration.ofMinutes(5));

    /**
     * Re-arms a fleet's copy beyond its rule's replicas with {@link #DEMOTED}, with the
     * rule's runner options so the runner is not reloaded: it serves while resident and
     * expires when idle. Never fails.
     */
    Mono<Void> demote(String model, ModelRule rule) {
        return embedding(model, rule.kind())
            .flatMap(embedding -> ollama.ping(model, DEMOTED, rule.runnerOptions(), embedding))
            .timeout(pingTimeout)
            .doOnNext(took -> log.atInfo()
                .addKeyValue(MODEL, model)
                .addKeyValue(HOST, host)
                .log("{} is warm on more hosts than its rule's replicas ({}): re-armed with keep_alive {}, it expires "
                        + "when idle", model, rule.replicas(), DEMOTED))
            .onErrorResume(error -> {
                log.atWarn()
                    .addKeyValue(MODEL, model)
                    .addKeyValue(HOST, host)
                    .log("Demoting the extra copy of {} failed: {}", model, error.toString());
                return Mono.empty();
            })
            .then();
    }

    /** Drops everything known of a model Ollama does not have. */
    void forget(String model) {
        state.forget(model);
        thrash.forget(model);
        embeddingOnly.remove(model);
    }

    /**
     * Records an answered ping; after a real load (a duration), also counts it for thrash
     * detection.
     */
    private PingOutcome succeeded(String model, KeepAlive keepAlive, @Nullable Duration load) {
        Instant now = clock.instant();
        state.update(model, s -> s.pinged(PingOutcome.LOADED, now, load, keepAlive.isForever()));
        if (load != null) {
            log.atInfo()
                .addKeyValue(MODEL, model)
                .addKeyValue(HOST, host)
                .addKeyValue("load_ms", load.toMillis())
                .log("Warmed {} in {} ms", model, load.toMillis());
            Instant backoffUntil = thrash.recordLoad(model, now);
            if (backoffUntil != null) {
                ModelState before = state.model(model).orElseThrow();
                state.update(model, s -> s.thrash(true, backoffUntil));
                if (!before.thrashing()) {
                    log.atWarn()
                        .addKeyValue(MODEL, model)
                        .addKeyValue(HOST, host)
                        .log("{} is thrashing: Ollama keeps unloading it and keepwarm keeps re-loading it. Likely the "
                                + "pinned models do not fit together (OLLAMA_MAX_LOADED_MODELS or VRAM), or clients "
                                + "use another num_ctx than the rule's options{}. Backing off until {}", model,
                                UpstreamProperties.DEFAULT_HOST.equals(host) ? ""
                                        : ", or unpinned models routed to host " + host
                                                + " evict it (set its max-loaded and memory to what it holds)",
                                backoffUntil);
                }
            }
        }
        return PingOutcome.LOADED;
    }

    private PingOutcome failed(String model, Throwable error) {
        Instant now = clock.instant();
        if (error instanceof CallNotPermittedException) {
            // the breaker is open: nothing was sent
            state.update(model, s -> s.skipped(now));
            return PingOutcome.SKIPPED;
        }
        if (error instanceof OllamaException ollamaError && ollamaError.status() == 404) {
            forget(model); // a name a client made up (a glob rule matched it): remember
                           // nothing of it
            log.debug("Ping of {} answered 404: Ollama does not have it", model);
            return PingOutcome.FAILED;
        }
        if (error instanceof TimeoutException) {
            state.timedOut(WarmState.Call.PING);
            if (!state.model(model).map(ModelState::resident).orElse(false)) {
                state.loadUnanswered();
            }
            log.atWarn()
                .addKeyValue(MODEL, model)
                .addKeyValue(HOST, host)
                .log("Ping of {} got no answer within keepwarm.warmer.ping-timeout ({} s)", model,
                        pingTimeout.toSeconds());
        }
        else {
            log.atWarn()
                .addKeyValue(MODEL, model)
                .addKeyValue(HOST, host)
                .log("Ping of {} failed: {}", model, error.toString());
        }
        // nothing learnt otherwise
        state.updateIfKnown(model, s -> s.pinged(PingOutcome.FAILED, now, null, false));
        return PingOutcome.FAILED;
    }

}
