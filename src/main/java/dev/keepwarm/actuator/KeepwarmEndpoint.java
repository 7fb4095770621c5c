package dev.keepwarm.actuator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import dev.keepwarm.metrics.ColdStarts;
import dev.keepwarm.ollama.OllamaClient;
import dev.keepwarm.ollama.UpstreamProperties;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.ModelState;
import dev.keepwarm.warmer.WarmState;
import dev.keepwarm.warmer.Warmer;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/keepwarm} on the management port: the live state (GET), one model's
 * state (GET /actuator/keepwarm/{model}), reconcile now (POST), ping one model (POST
 * /actuator/keepwarm/{model}). The two writes disappear with
 * {@code keepwarm.security.actuator-writes=false} (see SecurityConfiguration).
 */
@Endpoint(id = "keepwarm")
class KeepwarmEndpoint {

    private final Warmer warmer;

    private final PolicySource policies;

    private final OllamaClient ollama;

    private final UpstreamProperties upstream;

    private final MeterRegistry registry;

    private final Clock clock;

    KeepwarmEndpoint(Warmer warmer, PolicySource policies, OllamaClient ollama, UpstreamProperties upstream,
            MeterRegistry registry, Clock clock) {
        this.clock = clock;
        this.warmer = warmer;
        this.policies = policies;
        this.ollama = ollama;
        this.upstream = upstream;
        this.registry = registry;
    }

    @ReadOperation
    Mono<KeepwarmReport> report() {
        return ollama.version()
            .timeout(Duration.ofSeconds(2))
            .map(Optional::of)
            .onErrorReturn(Optional.empty())
            .defaultIfEmpty(Optional.empty())
            .map(version -> new KeepwarmReport(upstream(version.orElse(null)), rules(), models()));
    }

    /**
     * One model as in the report; 404 when keepwarm does not know it. Also what makes a
     * POST to this path answer 405, not 404, when the endpoint is read-only.
     */
    @ReadOperation
    KeepwarmReport.@Nullable Model modelState(@Selector String model) {
        return warmer.state().model(model).map(this::model).orElse(null);
    }

    /** Wakes the reconcile loop now. */
    @WriteOperation
    ActionResult reconcile() {
        warmer.reconcileNow();
        return new ActionResult("reconcile", "started");
    }

    /** Pings one model with its warm rule. */
    @WriteOperation
    Mono<ActionResult> ping(@Selector String model) {
        return warmer.ping(model)
            .map(outcome -> new ActionResult("ping " + model, outcome.tag()))
            .defaultIfEmpty(new ActionResult("ping " + model, "no warm rule governs this model"));
    }

    private KeepwarmReport.Upstream upstream(@Nullable String version) {
        WarmState state = warmer.state();
        return new KeepwarmReport.Upstream(upstream.url().toString(), state.upstreamUp(), version, state.lastContact(),
                ollama.breaker().getState().name());
    }

    private List<KeepwarmReport.Rule> rules() {
        Instant now = clock.instant();
        return policies.current().rules().stream().map(rule -> rule(rule, now)).toList();
    }

    private static KeepwarmReport.Rule rule(ModelRule rule, Instant now) {
        return new KeepwarmReport.Rule(rule.match(), rule.keepAlive() == null ? null : rule.keepAlive().toString(),
                rule.mode().name().toLowerCase(java.util.Locale.ROOT), rule.warmAt(now),
                rule.schedule() == null ? null : rule.schedule().activeAt(now));
    }

    private List<KeepwarmReport.Model> models() {
        return warmer.state()
            .models()
            .stream()
            .sorted(Comparator.comparing(ModelState::model))
            .map(this::model)
            .toList();
    }

    private KeepwarmReport.Model model(ModelState s) {
        return KeepwarmReport.Model.of(s, ColdStarts.count(registry, s.model()));
    }

    /**
     * @param action what was asked
     * @param result what happened
     */
    record ActionResult(String action, String result) {
    }

}
