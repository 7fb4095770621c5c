package dev.keepwarm.web;

import java.time.Duration;

import dev.keepwarm.ollama.OllamaClient;
import dev.keepwarm.ollama.UpstreamProperties;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;

/** The {@code ollama} health: whether Ollama answers /api/version. Not part of liveness or readiness. */
class OllamaHealth implements ReactiveHealthIndicator {

    private final OllamaClient ollama;
    private final UpstreamProperties upstream;

    OllamaHealth(OllamaClient ollama, UpstreamProperties upstream) {
        this.ollama = ollama;
        this.upstream = upstream;
    }

    @Override
    public Mono<Health> health() {
        return ollama.version()
                .timeout(Duration.ofSeconds(3))
                .map(version -> Health.up().withDetail("url", upstream.url().toString()).withDetail("version", version)
                        .build())
                .onErrorResume(error -> Mono.just(Health.down().withDetail("url", upstream.url().toString())
                        .withDetail("error", error.toString()).build()));
    }
}
