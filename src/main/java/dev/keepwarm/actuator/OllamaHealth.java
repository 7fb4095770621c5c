package dev.keepwarm.actuator;

import java.time.Duration;
import java.util.Optional;

import dev.keepwarm.ollama.OllamaClient;
import dev.keepwarm.ollama.UpstreamProperties;
import dev.keepwarm.warmer.WarmState;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;

/**
 * The {@code ollama} health: whether Ollama answers /api/version, and DOWN while its
 * loads do not complete though it answers (a wedged scheduler, Ollama #17408/#14407, seen
 * by the warmer). Not part of liveness or readiness.
 */
class OllamaHealth implements ReactiveHealthIndicator {

    private final OllamaClient ollama;

    private final UpstreamProperties upstream;

    private final WarmState state;

    OllamaHealth(OllamaClient ollama, UpstreamProperties upstream, WarmState state) {
        this.ollama = ollama;
        this.upstream = upstream;
        this.state = state;
    }

    @Override
    public Mono<Health> health() {
        return ollama.version().timeout(Duration.ofSeconds(3)).map(version -> {
            Optional<WarmState.Stall> stall = state.stall();
            Health.Builder health = stall.isPresent() ? Health.down() : Health.up();
            health.withDetail("url", upstream.url().toString()).withDetail("version", version);
            stall.ifPresent(s -> health.withDetail("error",
                    "loads do not complete while Ollama answers: " + "the load of " + s.model() + " has waited since "
                            + s.waitingSince()
                            + "; Ollama's scheduler looks wedged (ollama/ollama#17408, #14407). Restart Ollama; "
                            + "keepwarm holds back new pings until a load completes"));
            return health.build();
        })
            .onErrorResume(error -> Mono.just(Health.down()
                .withDetail("url", upstream.url().toString())
                .withDetail("error", error.toString())
                .build()));
    }

}
