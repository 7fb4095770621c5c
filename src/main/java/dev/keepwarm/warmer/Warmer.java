package dev.keepwarm.warmer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import dev.keepwarm.policy.ModelName;
import dev.keepwarm.policy.ModelRule;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * What the rest of keepwarm asks of the warmer: make sure a warm model is resident before a /v1 request (which
 * would otherwise load it with Ollama's defaults), shield a load whose client left, reconcile or ping on demand.
 */
public final class Warmer {

    private static final Logger log = LoggerFactory.getLogger(Warmer.class);

    /** An /api/ps answer or ping this recent is trusted instead of pinging again. */
    static final Duration FRESH = Duration.ofSeconds(1);

    private final WarmTargets targets;
    private final WarmState state;
    private final Pinger pinger;
    private final @Nullable WarmerLoop loop;
    private final Clock clock;
    private final Map<String, Mono<PingOutcome>> inFlight = new ConcurrentHashMap<>();
    private final Set<String> conflictsReported = ConcurrentHashMap.newKeySet();

    Warmer(WarmTargets targets, WarmState state, Pinger pinger, @Nullable WarmerLoop loop, Clock clock) {
        this.targets = targets;
        this.state = state;
        this.pinger = pinger;
        this.loop = loop;
        this.clock = clock;
    }

    public WarmState state() {
        return state;
    }

    /**
     * Before an OpenAI- or Anthropic-compatible request: Ollama drops keep_alive on those routes and would load a
     * missing model with its default (OLLAMA-API.md, "OpenAI- and Anthropic-compatible routes drop keep_alive"),
     * so a warm model is made resident with its pinned keep-alive first. Concurrent requests share one ping.
     * Completes when the model is ready or the ping failed; never fails (the request goes on either way).
     */
    public Mono<Void> beforeCompatibleRequest(String model) {
        if (loop == null) {
            return Mono.empty();
        }
        Instant now = clock.instant();
        Optional<ModelRule> rule = targets.warmRule(model, now);
        if (rule.isEmpty()) {
            return Mono.empty();
        }
        if (!rule.get().options().isEmpty()) {
            reportOptionsConflict(model, rule.get());
        }
        boolean fresh = state.model(model).filter(s -> s.confirmedWithin(FRESH, now)).isPresent();
        return fresh ? Mono.empty() : sharedPing(model, rule.get()).then();
    }

    /**
     * A client left a native request for a warm model while Ollama was still loading it; Ollama aborts such a
     * load (issue #7408), so a ping finishes it and the client's retry finds the model warm.
     */
    public void shield(String model) {
        if (loop == null) {
            return;
        }
        targets.warmRule(model, clock.instant()).ifPresent(rule -> {
            log.debug("Client left during the load of {}; finishing the load with a ping", model);
            sharedPing(model, rule).subscribe();
        });
    }

    /** Whether the model is governed by a warm rule now. */
    public boolean isWarm(String model) {
        return targets.warmRule(model, clock.instant()).isPresent();
    }

    /** Wakes the reconcile loop now. */
    public void reconcileNow() {
        if (loop != null) {
            loop.reconcileNow();
        }
    }

    /** Pings one model now with its warm rule; empty when no warm rule governs it. */
    public Mono<PingOutcome> ping(String model) {
        return Mono.justOrEmpty(targets.warmRule(model, clock.instant())).flatMap(rule -> sharedPing(model, rule));
    }

    private Mono<PingOutcome> sharedPing(String model, ModelRule rule) {
        String key = ModelName.normalize(model);
        return inFlight.computeIfAbsent(key, k -> {
            AtomicReference<Mono<PingOutcome>> self = new AtomicReference<>();
            Mono<PingOutcome> ping = pinger.ping(model, rule)
                    .doFinally(signal -> inFlight.remove(k, self.get()))
                    .cache();
            self.set(ping);
            return ping;
        });
    }

    private void reportOptionsConflict(String model, ModelRule rule) {
        String conflict = "/v1 traffic cannot carry the rule's options " + rule.options()
                + ": each /v1 request reloads the model at Ollama's default context and default keep_alive";
        state.update(model, s -> s.withConflict(conflict));
        if (conflictsReported.add(ModelName.normalize(model))) {
            log.warn("{} gets OpenAI-compatible (/v1) traffic, but rule '{}' sets options {}. Ollama's /v1 routes "
                    + "cannot pass runner options, so each /v1 request reloads the model at the server's default "
                    + "context with the default keep_alive and the pin is lost. Fix: start Ollama with "
                    + "OLLAMA_CONTEXT_LENGTH={} or remove the option from the rule.", model, rule.match(),
                    rule.options(), rule.options().getOrDefault("num_ctx", "<num_ctx>"));
        }
    }
}
