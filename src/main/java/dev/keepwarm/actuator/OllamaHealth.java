package dev.keepwarm.actuator;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.keepwarm.ollama.OllamaHost;
import dev.keepwarm.warmer.FleetWarmer;
import dev.keepwarm.warmer.WarmState;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;

/**
 * The {@code ollama} health: whether Ollama answers /api/version, and DOWN while its
 * loads do not complete though it answers (a wedged scheduler, Ollama #17408/#14407, seen
 * by the warmer). On a fleet, every host with its URL, version or error, and whether
 * requests go there; DOWN only when no host answers. Not part of liveness or readiness.
 */
class OllamaHealth implements ReactiveHealthIndicator {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final FleetWarmer fleet;

    OllamaHealth(FleetWarmer fleet) {
        this.fleet = fleet;
    }

    @Override
    public Mono<Health> health() {
        List<FleetWarmer.HostView> hosts = fleet.views();
        if (!fleet.fleet()) {
            return single(hosts.get(0));
        }
        return Flux.fromIterable(hosts)
            .flatMapSequential(view -> view.host()
                .client()
                .version()
                .timeout(TIMEOUT)
                .map(version -> Map.entry(view, Optional.of(version)))
                .onErrorResume(error -> Mono.just(Map.entry(view, Optional.empty()))))
            .collectList()
            .map(answers -> {
                Map<String, Object> details = new LinkedHashMap<>();
                boolean anyUp = false;
                for (Map.Entry<FleetWarmer.HostView, Optional<String>> answer : answers) {
                    FleetWarmer.HostView view = answer.getKey();
                    Map<String, Object> host = new LinkedHashMap<>();
                    host.put("url", view.host().url().toString());
                    host.put("up", answer.getValue().isPresent());
                    answer.getValue().ifPresent(version -> host.put("version", version));
                    host.put("routed", view.healthy());
                    host.put("circuitBreaker", view.host().breaker().getState().name());
                    view.state().stall().ifPresent(stall -> host.put("error", stalled(stall)));
                    anyUp |= answer.getValue().isPresent();
                    details.put(view.host().name(), host);
                }
                return (anyUp ? Health.up() : Health.down()).withDetail("hosts", details).build();
            });
    }

    private static Mono<Health> single(FleetWarmer.HostView view) {
        OllamaHost host = view.host();
        WarmState state = view.state();
        return host.client().version().timeout(TIMEOUT).map(version -> {
            Optional<WarmState.Stall> stall = state.stall();
            Health.Builder health = stall.isPresent() ? Health.down() : Health.up();
            health.withDetail("url", host.url().toString()).withDetail("version", version);
            stall.ifPresent(s -> health.withDetail("error", stalled(s)));
            return health.build();
        })
            .onErrorResume(error -> Mono.just(Health.down()
                .withDetail("url", host.url().toString())
                .withDetail("error", error.toString())
                .build()));
    }

    private static String stalled(WarmState.Stall s) {
        return "loads do not complete while Ollama answers: " + "the load of " + s.model() + " has waited since "
                + s.waitingSince() + "; Ollama's scheduler looks wedged (ollama/ollama#17408, #14407). Restart Ollama; "
                + "keepwarm holds back new pings until a load completes";
    }

}
