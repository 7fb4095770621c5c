package dev.keepwarm.warmer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import dev.keepwarm.ollama.OllamaClient;
import dev.keepwarm.ollama.RunningModel;
import dev.keepwarm.ollama.TlsFailure;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.ModelName;
import dev.keepwarm.policy.ModelRule;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One reconcile pass: read /api/ps (bounded by a timeout: an Ollama that accepts TCP and
 * never answers must not stop the warmer, #15950), decide per warm model from the state
 * (not from a timer) and ping the ones that need it, in rule order, at most
 * {@code max-concurrent-loads} at a time. A pass waits for its pings at most one
 * interval; a ping that takes longer goes on (owned by {@link Pings}) and the next pass
 * sees it, which is how a wedged scheduler shows.
 */
final class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    private final OllamaClient ollama;

    private final WarmTargets targets;

    private final WarmState state;

    private final Pings pings;

    private final Pinger pinger;

    private final ThrashTracker thrash;

    private final StallDetector stalls;

    private final Clock clock;

    private final WarmerProperties properties;

    private volatile boolean reportedDown;

    /** How logs name the host: "Ollama", or "Ollama host gpu0" on a fleet. */
    private final String name;

    Reconciler(OllamaClient ollama, WarmTargets targets, WarmState state, Pings pings, Pinger pinger,
            ThrashTracker thrash, StallDetector stalls, Clock clock, WarmerProperties properties) {
        this(ollama, targets, state, pings, pinger, thrash, stalls, clock, properties, "Ollama");
    }

    Reconciler(OllamaClient ollama, WarmTargets targets, WarmState state, Pings pings, Pinger pinger,
            ThrashTracker thrash, StallDetector stalls, Clock clock, WarmerProperties properties, String name) {
        this.name = name;
        this.ollama = ollama;
        this.targets = targets;
        this.state = state;
        this.pings = pings;
        this.pinger = pinger;
        this.thrash = thrash;
        this.stalls = stalls;
        this.clock = clock;
        this.properties = properties;
    }

    /**
     * Runs one pass; completes when its pings ended or an interval passed. Never fails.
     */
    Mono<Void> reconcile() {
        return ps().flatMap(this::act).onErrorResume(this::upstreamLost);
    }

    /**
     * The pass after /api/ps answered: the state learns what runs, and the models that
     * need it are pinged.
     */
    Mono<Void> act(List<RunningModel> running) {
        Instant now = clock.instant();
        if (reportedDown) {
            reportedDown = false;
            log.atInfo()
                .addKeyValue(Pinger.HOST, pinger.host())
                .log("{} answers again; re-warming pinned models", name);
        }
        state.observe(running, now);
        stalls.check(running, pings.inFlight(), now);
        List<Target> plan = stalls.admit(plan(running, now), pings.inFlight().size(), now);
        return Flux.fromIterable(plan)
            .flatMap(target -> pings.ping(target.model(), target.rule(), target.purpose()),
                    properties.maxConcurrentLoads())
            .then()
            .take(properties.interval());
    }

    /** GET /api/ps, bounded by {@code keepwarm.warmer.ps-timeout}. */
    Mono<List<RunningModel>> ps() {
        return Mono.defer(ollama::ps).timeout(properties.psTimeoutOrDefault());
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
            }
            else {
                // a glob cannot be preloaded, but the models it covers that are loaded
                // stay pinned
                resident.keySet()
                    .stream()
                    .filter(model -> targets.warmRule(model, now).filter(r -> r == rule).isPresent())
                    .forEach(model -> consider(model, rule, resident.get(model), now, plan));
            }
        }
        return plan;
    }

    private void consider(String model, ModelRule rule, @Nullable RunningModel running, Instant now,
            List<Target> plan) {
        if (plan.stream().anyMatch(target -> target.model().equals(model)) || pings.pinging(model)) {
            return; // an earlier rule already covers it, or its ping is under way
        }
        ModelState current = state.update(model, s -> s);
        if (current.thrashing() && !thrash.thrashing(model, now)) {
            current = state.update(model, s -> s.thrash(false, null));
        }
        if (running != null && satisfies(running, rule, now, properties.interval())) {
            if (verifyDue(current, now)) {
                plan.add(new Target(model, rule, PingPurpose.VERIFY));
            }
            return;
        }
        if (current.thrash().backoffUntil() != null && now.isBefore(current.thrash().backoffUntil())) {
            pinger.skip(model);
            return;
        }
        plan.add(new Target(model, rule, PingPurpose.WARM));
    }

    /**
     * A model /api/ps lists as the rule wants it is still pinged now and then: a crashed
     * runner stays listed (Ollama #17428/#17509) and only a request makes Ollama notice
     * and reload it.
     */
    private boolean verifyDue(ModelState current, Instant now) {
        Instant last = current.lastPing().at();
        return last == null || !last.plus(properties.verifyInterval()).isAfter(now);
    }

    /**
     * Loaded as the rule wants it: forever while the rule says forever, else not expiring
     * within two intervals.
     */
    static boolean satisfies(RunningModel running, ModelRule rule, Instant now, Duration interval) {
        KeepAlive keepAlive = rule.keepAlive() != null ? rule.keepAlive() : KeepAlive.FOREVER;
        if (keepAlive.isForever()) {
            return running.forever(now);
        }
        return !running.expiresAt().isBefore(now.plus(interval.multipliedBy(2)));
    }

    /** /api/ps failed: nothing is known to run, and the outage is said once. */
    Mono<Void> upstreamLost(Throwable error) {
        state.lost(clock.instant());
        boolean timedOut = error instanceof TimeoutException;
        if (timedOut) {
            state.timedOut(WarmState.Call.PS);
        }
        if (!reportedDown) {
            reportedDown = true; // said once per outage, not every tick
            String reason = timedOut
                    ? "it accepted GET /api/ps but sent no answer within " + properties.psTimeoutOrDefault().toMillis()
                            + " ms (a hung Ollama, ollama/ollama#15950)"
                    : error instanceof CallNotPermittedException ? "connection failures opened the circuit breaker"
                            : TlsFailure.describe(error) != null ? TlsFailure.describe(error) : error.toString();
            log.atWarn()
                .addKeyValue(Pinger.HOST, pinger.host())
                .log("{} cannot be reached ({}); the warmer waits quietly and re-warms pinned models when it "
                        + "answers again", name, reason);
        }
        else {
            log.debug("{} still unreachable: {}", name, error.toString());
        }
        return Mono.empty();
    }

    /** A model to ping, the rule it is pinged for, and why. */
    record Target(String model, ModelRule rule, PingPurpose purpose) {
    }

}
