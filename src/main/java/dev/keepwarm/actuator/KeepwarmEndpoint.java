package dev.keepwarm.actuator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.keepwarm.metrics.ColdStarts;
import dev.keepwarm.fleet.OllamaVersion;
import dev.keepwarm.ollama.OllamaHost;
import dev.keepwarm.policy.Mode;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.Policies;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.FleetWarmer;
import dev.keepwarm.warmer.KeepAliveLearner;
import dev.keepwarm.warmer.ModelState;
import dev.keepwarm.warmer.WarmState;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
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

    private final FleetWarmer fleet;

    private final PolicySource policies;

    private final MeterRegistry registry;

    private final Clock clock;

    private final KeepAliveLearner learner;

    KeepwarmEndpoint(FleetWarmer fleet, PolicySource policies, MeterRegistry registry, Clock clock,
            KeepAliveLearner learner) {
        this.learner = learner;
        this.clock = clock;
        this.fleet = fleet;
        this.policies = policies;
        this.registry = registry;
    }

    @ReadOperation
    Mono<KeepwarmReport> report() {
        List<FleetWarmer.HostView> hosts = fleet.views();
        return Flux.fromIterable(hosts).flatMapSequential(view -> version(view.host())).collectList().map(versions -> {
            if (!fleet.fleet()) {
                return new KeepwarmReport(upstream(hosts.get(0), versions.get(0).orElse(null)), rules(),
                        models(hosts.get(0).state()))
                    .withAdaptive(adaptive());
            }
            List<KeepwarmReport.Host> reports = new ArrayList<>();
            for (int i = 0; i < hosts.size(); i++) {
                FleetWarmer.HostView view = hosts.get(i);
                WarmState state = view.state();
                reports.add(new KeepwarmReport.Host(view.host().name(), view.host().url().toString(),
                        state.upstreamUp(), view.healthy(), versions.get(i).orElse(null), state.lastContact(),
                        view.host().breaker().getState().name(), models(state)));
            }
            return new KeepwarmReport(fleetUpstream(hosts, versions), rules(), fleetModels(hosts), reports, placement(),
                    adaptive());
        });
    }

    /** Adaptive mode's part: absent while no policy uses it and nothing was learned. */
    private KeepwarmReport.@Nullable Adaptive adaptive() {
        List<KeepAliveLearner.ModelView> views = learner.views();
        Policies current = policies.current();
        boolean used = current.defaultPolicy().map(p -> p.mode() == Mode.ADAPTIVE).orElse(false)
                || current.rules().stream().anyMatch(rule -> rule.mode() == Mode.ADAPTIVE);
        if (views.isEmpty() && !used) {
            return null;
        }
        Map<String, Long> prewarms = new LinkedHashMap<>();
        for (KeepAliveLearner.PrewarmOutcome outcome : KeepAliveLearner.PrewarmOutcome.values()) {
            prewarms.put(outcome.tag(), learner.prewarms(outcome));
        }
        return new KeepwarmReport.Adaptive(prewarms, views.stream().map(KeepwarmEndpoint::adaptiveModel).toList());
    }

    private static KeepwarmReport.AdaptiveModel adaptiveModel(KeepAliveLearner.ModelView view) {
        return new KeepwarmReport.AdaptiveModel(view.model(), view.samples(), seconds(view.prewarmPercentile()),
                seconds(view.median()), seconds(view.keepAlivePercentile()), view.outOfBoundsShare(),
                view.keepAlive() == null ? null : view.keepAlive().toString(),
                view.reason() == null ? null : view.reason().tag(), view.nextPrewarm(),
                view.hold() == null ? null : view.hold().toNanos() / 1e9, view.loadTime().toNanos() / 1e9,
                view.inFlight(), view.lastEnd());
    }

    private static @Nullable Double seconds(Optional<Duration> duration) {
        return duration.map(d -> d.toNanos() / 1e9).orElse(null);
    }

    private static Mono<Optional<String>> version(OllamaHost host) {
        return host.client()
            .version()
            .timeout(Duration.ofSeconds(2))
            .map(Optional::of)
            .onErrorReturn(Optional.empty())
            .defaultIfEmpty(Optional.empty());
    }

    /**
     * One model as in the report; 404 when keepwarm does not know it. Also what makes a
     * POST to this path answer 405, not 404, when the endpoint is read-only.
     */
    @ReadOperation
    KeepwarmReport.@Nullable Model modelState(@Selector String model) {
        return fleet.views()
            .stream()
            .map(view -> view.state().model(model))
            .flatMap(Optional::stream)
            .sorted(Comparator.comparing((ModelState s) -> !s.resident()))
            .findFirst()
            .map(this::model)
            .orElse(null);
    }

    /** Wakes the reconcile loop now. */
    @WriteOperation
    ActionResult reconcile() {
        fleet.reconcileNow();
        return new ActionResult("reconcile", "started");
    }

    /**
     * Pings one model with its warm rule (on a fleet: on every host that keeps it warm).
     */
    @WriteOperation
    Mono<ActionResult> ping(@Selector String model) {
        return fleet.ping(model)
            .collectList()
            .map(outcomes -> fleet.fleet() ? outcomes.stream()
                .map(outcome -> outcome.getKey() + ": " + outcome.getValue().tag())
                .collect(Collectors.joining(", ")) : outcomes.isEmpty() ? "" : outcomes.get(0).getValue().tag())
            .filter(result -> !result.isEmpty())
            .map(result -> new ActionResult("ping " + model, result))
            .defaultIfEmpty(new ActionResult("ping " + model, "no warm rule governs this model"));
    }

    private static KeepwarmReport.Upstream upstream(FleetWarmer.HostView view, @Nullable String version) {
        WarmState state = view.state();
        return new KeepwarmReport.Upstream(view.host().url().toString(), state.upstreamUp(), version,
                state.lastContact(), view.host().breaker().getState().name());
    }

    /**
     * The fleet as one upstream: up when a host is, its oldest version, its latest
     * contact.
     */
    private static KeepwarmReport.Upstream fleetUpstream(List<FleetWarmer.HostView> hosts,
            List<Optional<String>> versions) {
        boolean up = hosts.stream().anyMatch(view -> view.state().upstreamUp());
        Instant last = hosts.stream()
            .map(view -> view.state().lastContact())
            .filter(java.util.Objects::nonNull)
            .max(Comparator.naturalOrder())
            .orElse(null);
        String oldest = OllamaVersion.oldest(versions.stream().flatMap(Optional::stream).toList()).orElse(null);
        long routed = hosts.stream().filter(FleetWarmer.HostView::healthy).count();
        return new KeepwarmReport.Upstream(hosts.size() + " hosts", up, oldest, last,
                routed + " of " + hosts.size() + " hosts routed");
    }

    private List<KeepwarmReport.Placed> placement() {
        return fleet.plan().assignments().stream().map(assignment -> {
            List<String> warm = fleet.warmOn(assignment.model());
            List<String> missing = assignment.missing()
                .stream()
                .map(reason -> reason.name().toLowerCase(java.util.Locale.ROOT))
                .toList();
            return new KeepwarmReport.Placed(assignment.model(), assignment.wanted(), assignment.hosts(), warm,
                    missing);
        }).toList();
    }

    private List<KeepwarmReport.Model> fleetModels(List<FleetWarmer.HostView> hosts) {
        java.util.Map<String, ModelState> once = new java.util.TreeMap<>();
        for (FleetWarmer.HostView view : hosts) {
            for (ModelState s : view.state().models()) {
                once.merge(s.model(), s, (a, b) -> a.resident() || !b.resident() ? a : b);
            }
        }
        return once.values().stream().map(this::model).toList();
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

    private List<KeepwarmReport.Model> models(WarmState state) {
        return state.models().stream().sorted(Comparator.comparing(ModelState::model)).map(this::model).toList();
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
