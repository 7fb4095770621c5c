package dev.keepwarm.warmer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.keepwarm.ollama.RunningModel;
import dev.keepwarm.policy.ModelName;
import dev.keepwarm.policy.ModelRule;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * What the rest of keepwarm asks of one host's warmer: the proxy's residency guard (make
 * sure a warm model is resident around a /v1 request, which would otherwise load it with
 * Ollama's defaults; finish a load whose client left), and the actuator's reconcile or
 * ping on demand.
 */
public final class Warmer {

    private static final Logger log = LoggerFactory.getLogger(Warmer.class);

    /**
     * An /api/ps answer or ping this recent is trusted instead of pinging again before a
     * /v1 request.
     */
    static final Duration FRESH = Duration.ofSeconds(1);

    private final WarmTargets targets;

    private final WarmState state;

    private final Pings pings;

    private final FreshPs freshPs;

    private final StallDetector stalls;

    private final Subscriptions owner;

    private final @Nullable WarmerLoop loop;

    private final Clock clock;

    private final Duration interval;

    Warmer(WarmTargets targets, WarmState state, Pings pings, FreshPs freshPs, StallDetector stalls,
            Subscriptions owner, @Nullable WarmerLoop loop, Clock clock, Duration interval) {
        this.targets = targets;
        this.state = state;
        this.pings = pings;
        this.freshPs = freshPs;
        this.stalls = stalls;
        this.owner = owner;
        this.loop = loop;
        this.clock = clock;
        this.interval = interval;
    }

    public WarmState state() {
        return state;
    }

    /**
     * Around an OpenAI- or Anthropic-compatible request: Ollama drops keep_alive on those
     * routes and would load a missing model with its default (OLLAMA-API.md, "OpenAI- and
     * Anthropic-compatible routes drop keep_alive"), so a warm model is made resident
     * with its pinned keep-alive first; concurrent requests share one ping. When
     * residency was confirmed so recently that the ping is skipped, an eviction inside
     * that window could still let the request load the model with Ollama's default: so
     * after the answer, one /api/ps that started after it (shared by the requests that
     * ended meanwhile) checks the pin and pings at once if it was lost.
     * @param forward sends the request; subscribed once the model is ready or its ping
     * failed
     */
    public Mono<Void> aroundKeepAliveDroppingRequest(String model, Mono<Void> forward) {
        if (loop == null) {
            return forward;
        }
        Instant now = clock.instant();
        Optional<ModelRule> rule = targets.warmRule(model, now);
        if (rule.isEmpty()) {
            return forward;
        }
        if (rule.get().setsRunnerOptions()) {
            reportOptionsConflict(model, rule.get());
        }
        boolean fresh = state.model(model).filter(s -> s.confirmedWithin(FRESH, now)).isPresent();
        if (!fresh && !stalls.stalled()) {
            return pings.ping(model, rule.get(), PingPurpose.WARM).then(forward);
        }
        long sent = System.nanoTime();
        return forward.doFinally(signal -> checkPin(model, rule.get(), sent));
    }

    /** The pin check after a /v1 answer whose pre-ping was skipped. */
    private void checkPin(String model, ModelRule rule, long sentNanos) {
        if (stalls.stalled()) {
            return;
        }
        owner.own(freshPs.startedAfter(sentNanos).flatMap(running -> {
            Optional<RunningModel> listed = find(running, model);
            if (listed.isPresent() && Reconciler.satisfies(listed.get(), rule, clock.instant(), interval)) {
                return Mono.empty();
            }
            log.info("{} lost its pin around a /v1 request (evicted and reloaded with Ollama's default keep_alive); "
                    + "pinning it again", model);
            return pings.ping(model, rule, PingPurpose.WARM);
            // Ollama gone: the reconcile loop reports and repairs
        }).onErrorResume(error -> Mono.empty()));
    }

    private static Optional<RunningModel> find(List<RunningModel> running, String model) {
        String name = ModelName.normalize(model);
        return running.stream().filter(m -> ModelName.normalize(m.name()).equals(name)).findFirst();
    }

    /**
     * A client left a native request for a warm model while Ollama was still loading it;
     * Ollama aborts such a load (issue #7408), so a ping finishes it and the client's
     * retry finds the model warm. The ping is owned by the warmer (disposed at shutdown),
     * not by the request that left.
     */
    void finishAbandonedLoad(String model) {
        if (loop == null || stalls.stalled()) {
            return;
        }
        targets.warmRule(model, clock.instant()).ifPresent(rule -> {
            log.debug("Client left during the load of {}; finishing the load with a ping", model);
            pings.ping(model, rule, PingPurpose.WARM);
        });
    }

    /** Wakes the reconcile loop now. */
    public void reconcileNow() {
        if (loop != null) {
            loop.reconcileNow();
        }
    }

    /** Pings one model now with its warm rule; empty when no warm rule governs it. */
    public Mono<PingOutcome> ping(String model) {
        return Mono.justOrEmpty(targets.warmRule(model, clock.instant()))
            .flatMap(rule -> pings.ping(model, rule, PingPurpose.WARM));
    }

    private void reportOptionsConflict(String model, ModelRule rule) {
        ModelState before = state.model(model).orElse(null);
        if (before != null && before.conflict() != null) {
            return; // reported once per model while keepwarm remembers it (on every /v1
                    // request: nothing built)
        }
        String conflict = "/v1 traffic cannot carry the rule's runner options " + rule.runnerOptions()
                + ": each /v1 request reloads the model at Ollama's default context and default keep_alive";
        state.update(model, s -> s.withConflict(conflict));
        log.warn(
                "{} gets OpenAI-compatible (/v1) traffic, but rule '{}' sets runner options {}. Ollama's /v1 routes "
                        + "cannot pass runner options, so each /v1 request reloads the model at the server's default "
                        + "context with the default keep_alive and the pin is lost. Fix: start Ollama with "
                        + "OLLAMA_CONTEXT_LENGTH={} or remove the option from the rule.",
                model, rule.match(), rule.runnerOptions(), rule.runnerOptions().getOrDefault("num_ctx", "<num_ctx>"));
    }

}
