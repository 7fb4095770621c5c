package dev.keepwarm.warmer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.keepwarm.ollama.OllamaClient;
import dev.keepwarm.ollama.RunningModel;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.ModelName;
import dev.keepwarm.policy.ModelRule;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One reconcile pass: read /api/ps, decide per warm model from the state (not from a timer) and ping the ones
 * that need it, one at a time in rule order (Ollama loads serially anyway).
 */
final class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    private final OllamaClient ollama;
    private final WarmTargets targets;
    private final WarmState state;
    private final Pinger pinger;
    private final ThrashTracker thrash;
    private final Clock clock;
    private final WarmerProperties properties;
    private volatile boolean reportedDown;

    Reconciler(OllamaClient ollama, WarmTargets targets, WarmState state, Pinger pinger, ThrashTracker thrash,
            Clock clock, WarmerProperties properties) {
        this.ollama = ollama;
        this.targets = targets;
        this.state = state;
        this.pinger = pinger;
        this.thrash = thrash;
        this.clock = clock;
        this.properties = properties;
    }

    /** Runs one pass; completes when every ping it started has ended. Never fails. */
    Mono<Void> reconcile() {
        return Mono.defer(() -> ollama.ps())
                .flatMap(running -> {
                    Instant now = clock.instant();
                    if (reportedDown) {
                        reportedDown = false;
                        log.info("Ollama answers again; re-warming pinned models");
                    }
                    state.observe(running, now);
                    return Flux.fromIterable(plan(running, now))
                            .flatMap(target -> pinger.ping(target.model(), target.rule()),
                                    properties.maxConcurrentLoads())
                            .then();
                })
                .onErrorResume(this::upstreamLost);
    }

    /** The models that need a ping now, in rule order. */
    List<Target> plan(List<RunningModel> running, Instant now) {
        Map<String, RunningModel> resident = new LinkedHashMap<>();
        running.forEach(model -> resident.putIfAbsent(ModelName.normalize(model.name()), model));
        List<Target> plan = new ArrayList<>();
        for (ModelRule rule : targets.warmRules(now)) {
            if (rule.concrete()) {
                String model = ModelName.normalize(rule.match());
                consider(model, rule, resident.get(model), now, plan);
            } else {
                // a glob cannot be preloaded, but the models it covers that are loaded stay pinned
                resident.keySet().stream()
                        .filter(model -> targets.warmRule(model, now).filter(r -> r == rule).isPresent())
                        .forEach(model -> consider(model, rule, resident.get(model), now, plan));
            }
        }
        return plan;
    }

    private void consider(String model, ModelRule rule, RunningModel running, Instant now, List<Target> plan) {
        if (plan.stream().anyMatch(target -> target.model().equals(model))) {
            return; // an earlier rule already covers it
        }
        ModelState current = state.update(model, s -> s);
        if (current.thrashing() && !thrash.thrashing(model, now)) {
            current = state.update(model, s -> s.thrash(false, null));
        }
        if (running != null && !needsRearm(running, rule, now)) {
            return;
        }
        if (current.backoffUntil() != null && now.isBefore(current.backoffUntil())) {
            pinger.skip(model);
            return;
        }
        plan.add(new Target(model, rule));
    }

    /** Loaded but not as the rule wants it: not forever while the rule says forever, or expiring soon. */
    private boolean needsRearm(RunningModel running, ModelRule rule, Instant now) {
        KeepAlive keepAlive = rule.keepAlive() != null ? rule.keepAlive() : KeepAlive.FOREVER;
        if (keepAlive.isForever()) {
            return !running.forever(now);
        }
        Duration soon = properties.interval().multipliedBy(2);
        return running.expiresAt().isBefore(now.plus(soon));
    }

    private Mono<Void> upstreamLost(Throwable error) {
        state.lost(clock.instant());
        if (!reportedDown) {
            reportedDown = true; // said once per outage, not every tick
            String reason = error instanceof CallNotPermittedException
                    ? "connection failures opened the circuit breaker" : error.toString();
            log.warn("Ollama cannot be reached ({}); the warmer waits quietly and re-warms pinned models when it "
                    + "answers again", reason);
        } else {
            log.debug("Ollama still unreachable: {}", error.toString());
        }
        return Mono.empty();
    }

    /** A model to ping and the rule it is pinged for. */
    record Target(String model, ModelRule rule) {
    }
}
