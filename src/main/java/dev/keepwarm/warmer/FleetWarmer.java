package dev.keepwarm.warmer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.keepwarm.fleet.ModelSizes;
import dev.keepwarm.fleet.Placement;
import dev.keepwarm.ollama.OllamaHost;
import dev.keepwarm.ollama.OllamaHosts;
import dev.keepwarm.ollama.RunningModel;
import dev.keepwarm.policy.ModelName;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.proxy.ResidencyGuard;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The warmers of every Ollama host, and what they decide together: each pass reads every
 * host's /api/ps and /api/tags at once, places the warm rules on the healthy hosts
 * ({@link Placement}: what every keepwarm replica sees alike, so replicas agree without
 * talking), then lets each host's warmer pin what was placed there and demotes copies
 * beyond a rule's replicas. A host whose breaker is open, or whose /api/ps failed
 * {@link #MISSES_TO_FAIL} passes in a row, is not healthy: its models are placed
 * elsewhere in that pass. One late /api/ps moves nothing: placement uses what the host
 * last said, since a second copy loaded elsewhere for one slow answer is a load every
 * replica would disagree on (a refused connection opens the breaker at once). While a
 * healthy host has never answered, the placement stays as it was. The proxy routes by
 * what it knows ({@link FleetRouter}). A single-host keepwarm has one host, named
 * {@code default}, which serves every rule and gets every request, as before the fleet.
 */
public final class FleetWarmer implements ResidencyGuard {

    private static final Logger log = LoggerFactory.getLogger(FleetWarmer.class);

    /** Passes in a row whose /api/ps a host missed, after which it counts as failed. */
    static final int MISSES_TO_FAIL = 2;

    private final OllamaHosts hosts;

    private final Function<OllamaHost, HostWarmer> build;

    private final Clock clock;

    private final Duration psTimeout;

    private final Map<String, HostWarmer> warmers = new ConcurrentHashMap<>();

    /** What the last pass learnt of each host; absent before its first answer. */
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    /** The shortfalls last reported, per model, so each is said once. */
    private final Map<String, List<Placement.Reason>> reported = new ConcurrentHashMap<>();

    private volatile Placement.Plan plan = new Placement.Plan(List.of(), List.of());

    FleetWarmer(OllamaHosts hosts, Function<OllamaHost, HostWarmer> build, Clock clock, Duration psTimeout) {
        this.hosts = hosts;
        this.build = build;
        this.clock = clock;
        this.psTimeout = psTimeout;
        hosts.all().forEach(host -> warmers.put(host.name(), build.apply(host)));
        hosts.onChange(this::hostsChanged);
    }

    /**
     * What the passes learnt of a host.
     *
     * @param answered whether it ever answered (its catalogue is known)
     * @param misses the passes in a row whose /api/ps it did not answer
     * @param catalogue its last /api/tags
     * @param resident its last /api/ps, kept through a single miss
     */
    private record Seen(boolean answered, int misses, ModelSizes catalogue, ModelSizes resident) {

        Seen missed() {
            int now = misses + 1;
            return new Seen(answered, now, catalogue, now < MISSES_TO_FAIL ? resident : ModelSizes.NONE);
        }

    }

    private void hostsChanged(List<OllamaHost> now) {
        Set<String> names = new HashSet<>();
        for (OllamaHost host : now) {
            names.add(host.name());
            warmers.computeIfAbsent(host.name(), name -> build.apply(host));
        }
        warmers.keySet().removeIf(name -> !names.contains(name));
        seen.keySet().removeIf(name -> !names.contains(name));
        warmers.values().stream().findFirst().ifPresent(any -> any.warmer().reconcileNow());
    }

    /** Whether keepwarm fronts a fleet. */
    public boolean fleet() {
        return hosts.fleet();
    }

    /** Every host's warmer, by host name. */
    List<HostWarmer> warmers() {
        return hosts.all().stream().map(host -> warmers.get(host.name())).filter(w -> w != null).toList();
    }

    /** A host's warmer, by name. */
    public Optional<Warmer> warmer(String host) {
        return Optional.ofNullable(warmers.get(host)).map(HostWarmer::warmer);
    }

    /** The placement the last pass chose. */
    public Placement.Plan plan() {
        return plan;
    }

    /** One pass over the fleet. Never fails. */
    Mono<Void> pass() {
        if (!hosts.fleet()) {
            return warmers().get(0).reconciler().reconcile();
        }
        List<HostWarmer> all = warmers();
        return Flux.fromIterable(all)
            .flatMap(warmer -> observe(warmer).map(running -> Map.entry(warmer, running)))
            .collectList()
            .flatMap(answered -> {
                Map<HostWarmer, List<RunningModel>> running = new LinkedHashMap<>();
                answered.forEach(entry -> running.put(entry.getKey(), entry.getValue()));
                place(clock.instant());
                return Flux.fromIterable(running.entrySet())
                    .flatMap(entry -> entry.getKey()
                        .reconciler()
                        .act(entry.getValue())
                        .then(demote(entry.getKey(), entry.getValue())))
                    .then();
            });
    }

    /**
     * A host's /api/ps and /api/tags; empty when it did not answer (its reconciler
     * records the outage).
     */
    private Mono<List<RunningModel>> observe(HostWarmer warmer) {
        String name = warmer.host().name();
        Mono<Map<String, Long>> tags = Mono.defer(() -> warmer.host().client().tags())
            .timeout(psTimeout)
            .onErrorResume(error -> Mono.just(catalogueOf(name)));
        return Mono.zip(warmer.reconciler().ps(), tags).map(both -> {
            List<RunningModel> running = both.getT1();
            Map<String, Long> resident = new HashMap<>();
            running.forEach(model -> resident.merge(model.name(), model.sizeVram(), Math::max));
            seen.put(name, new Seen(true, 0, new ModelSizes(both.getT2()), new ModelSizes(resident)));
            return running;
        }).onErrorResume(error -> {
            Seen before = seen.get(name);
            seen.put(name, (before != null ? before : new Seen(false, 0, ModelSizes.NONE, ModelSizes.NONE)).missed());
            return warmer.reconciler().upstreamLost(error).then(Mono.empty());
        });
    }

    private Map<String, Long> catalogueOf(String host) {
        Seen before = seen.get(host);
        return before != null ? before.catalogue().bytes() : Map.of();
    }

    /** Places the warm rules on the healthy hosts and tells each host its models. */
    private void place(Instant now) {
        List<Placement.Host> healthy = new ArrayList<>();
        boolean unknown = false;
        for (HostWarmer warmer : warmers()) {
            Seen host = seen.get(warmer.host().name());
            if (!healthy(warmer.host())) {
                continue;
            }
            if (host == null || !host.answered()) {
                unknown = true; // its catalogue and models decide placement too: wait for
                                // them
            }
            else {
                healthy.add(new Placement.Host(warmer.host().name(), warmer.host().memory(), warmer.host().maxLoaded(),
                        host.catalogue(), host.resident()));
            }
        }
        List<Placement.Rule> rules = warmers().isEmpty() ? List.of()
                : warmers().get(0)
                    .targets()
                    .fleetRules(now)
                    .stream()
                    .filter(ModelRule::concrete)
                    .map(rule -> new Placement.Rule(rule.match(), rule.replicas()))
                    .toList();
        Placement.Plan next = unknown ? plan : Placement.plan(rules, healthy);
        plan = next;
        for (HostWarmer warmer : warmers()) {
            Set<String> models = new HashSet<>();
            next.assignments()
                .stream()
                .filter(assignment -> assignment.hosts().contains(warmer.host().name()))
                .forEach(assignment -> models.add(assignment.model()));
            warmer.targets().placeOn(models);
        }
        report(next);
    }

    /** One WARN per model whose shortfall changed; one INFO when it is met again. */
    private void report(Placement.Plan next) {
        Set<String> models = new HashSet<>();
        for (Placement.Assignment assignment : next.assignments()) {
            models.add(assignment.model());
            List<Placement.Reason> before = reported.get(assignment.model());
            if (assignment.isMet()) {
                if (before != null && !before.isEmpty()) {
                    log.info("{} is placed on {} host(s) as its rule wants: {}", assignment.model(),
                            assignment.wanted(), assignment.hosts());
                }
                reported.put(assignment.model(), List.of());
            }
            else if (!assignment.missing().equals(before)) {
                reported.put(assignment.model(), assignment.missing());
                log.warn(
                        "{} wants {} warm host(s) but is placed on {}: missing copies because {}. It is not loaded "
                                + "elsewhere until that changes",
                        assignment.model(), assignment.wanted(), assignment.hosts(), assignment.missing());
            }
        }
        reported.keySet().retainAll(models);
    }

    /**
     * Re-arms the copies on this host that the plan does not keep, whenever they are
     * pinned forever (again: a request routed there while the placed copies could not
     * serve it pins it with its rule).
     */
    private Mono<Void> demote(HostWarmer warmer, List<RunningModel> running) {
        Instant now = clock.instant();
        return Flux.fromIterable(plan.demoted())
            .filter(copy -> copy.host().equals(warmer.host().name()))
            .filter(copy -> running.stream()
                .anyMatch(model -> ModelName.normalize(model.name()).equals(copy.model()) && model.forever(now)))
            .concatMap(copy -> Mono.justOrEmpty(warmer.targets().fleetRule(copy.model(), now))
                .flatMap(rule -> warmer.pinger().demote(copy.model(), rule)))
            .then();
    }

    /** Whether requests and placement may use the host now. */
    boolean healthy(OllamaHost host) {
        if (!hosts.fleet()) {
            return true;
        }
        Seen last = seen.get(host.name());
        return host.breakerClosed() && (last == null || last.misses() < MISSES_TO_FAIL);
    }

    /** What the last pass read of the host's catalogue, empty before it answered. */
    Optional<ModelSizes> catalogue(String host) {
        return Optional.ofNullable(seen.get(host)).map(Seen::catalogue);
    }

    /** The healthy hosts by name. */
    public List<String> healthy() {
        return warmers().stream().filter(warmer -> healthy(warmer.host())).map(w -> w.host().name()).toList();
    }

    @Override
    public Mono<Void> aroundKeepAliveDroppingRequest(String host, String model, Mono<Void> forward) {
        HostWarmer warmer = warmers.get(host);
        return warmer == null ? forward : warmer.warmer().aroundKeepAliveDroppingRequest(model, forward);
    }

    @Override
    public void clientLeftBeforeResponse(String host, String model) {
        HostWarmer warmer = warmers.get(host);
        if (warmer != null) {
            warmer.warmer().finishAbandonedLoad(model);
        }
    }

    /** Wakes the reconcile loop now. */
    public void reconcileNow() {
        warmers().stream().findFirst().ifPresent(warmer -> warmer.warmer().reconcileNow());
    }

    /**
     * Pings a model now on every host that keeps it warm; empty when no warm rule governs
     * it there.
     */
    public Flux<Map.Entry<String, PingOutcome>> ping(String model) {
        return Flux.fromIterable(warmers())
            .flatMap(warmer -> warmer.warmer().ping(model).map(outcome -> Map.entry(warmer.host().name(), outcome)));
    }

    /** Whether the host is healthy now, as routing and placement see it. */
    public boolean healthy(String host) {
        return hosts.named(host).map(this::healthy).orElse(false);
    }

    /**
     * The healthy hosts where the model is loaded now: its warm copies, as health, the
     * state endpoint and the placement gauges count them.
     */
    public List<String> warmOn(String model) {
        return views().stream()
            .filter(view -> view.healthy() && view.state().model(model).map(ModelState::resident).orElse(false))
            .map(view -> view.host().name())
            .toList();
    }

    /**
     * The bytes (size_vram) the model holds on the fleet's hosts as their last /api/ps
     * said; 0 when it is loaded nowhere.
     */
    public long residentBytes(String model) {
        long bytes = 0;
        for (HostView view : views()) {
            bytes += view.state()
                .model(model)
                .filter(ModelState::resident)
                .map(state -> state.residency().sizeVram())
                .orElse(0L);
        }
        return bytes;
    }

    /** Every host's state, in host name order. */
    public List<HostView> views() {
        return warmers().stream().map(w -> new HostView(w.host(), w.state(), healthy(w.host()))).toList();
    }

    /**
     * One host as the actuator and meters see it.
     *
     * @param host the host
     * @param state its warm state
     * @param healthy whether routing and placement use it now
     */
    public record HostView(OllamaHost host, WarmState state, boolean healthy) {
    }

    /** The host's warm state, empty when there is no such host. */
    public @Nullable WarmState state(String host) {
        HostWarmer warmer = warmers.get(host);
        return warmer != null ? warmer.state() : null;
    }

}
