package dev.keepwarm.ollama;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.OptionValues;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientResponse;

/**
 * Typed calls to Ollama for the warmer: /api/ps, load pings and capabilities. Every call
 * goes through the "ollama" Resilience4j retry (connection errors, with back-off) and
 * circuit breaker, so an Ollama that is down is not hammered.
 */
public final class OllamaClient {

    private static final JsonMapper JSON = warm(JsonMapper.builder().build());

    private final OllamaConnection upstream;

    private final CircuitBreaker breaker;

    private final Retry retry;

    OllamaClient(OllamaConnection upstream, CircuitBreaker breaker, Retry retry) {
        this.upstream = upstream;
        this.breaker = breaker;
        this.retry = retry;
    }

    /** The circuit breaker guarding these calls, for state reporting. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** GET /api/ps: the models loaded now. */
    public Mono<List<RunningModel>> ps() {
        return call(upstream.client().get().uri(upstream.uri("/api/ps")).exchangeToMono(OllamaClient::json))
            .map(OllamaClient::runningModels);
    }

    /**
     * Loads a model (or re-arms its timer) without generating: POST /api/generate with no
     * prompt, or POST /api/embed with no input for embedding-only models (OLLAMA-API.md,
     * "Load-only and unload requests"). The rule's runner options go along so the ping
     * never forces a reload of the runner real traffic uses.
     * @return the wall time of the call: a load ping's answer carries no timings
     * (OLLAMA-API.md, "Load-only ... ping")
     * @param keepAlive the keep-alive to arm; null sends none, so the host's own default
     * (OLLAMA_KEEP_ALIVE) re-arms the model: a fleet's demoted copy expires when idle
     */
    public Mono<java.time.Duration> ping(String model, @Nullable KeepAlive keepAlive, Map<String, String> options,
            boolean embedding) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        if (keepAlive != null) {
            body.set("keep_alive", JSON.readTree(keepAlive.toJson()));
        }
        if (!options.isEmpty() && !embedding) {
            ObjectNode opts = body.putObject("options");
            options.forEach((key, value) -> opts.set(key, JSON.valueToTree(OptionValues.typed(value))));
        }
        String path = embedding ? "/api/embed" : "/api/generate";
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return call(post(path, body)).map(answer -> java.time.Duration.ofNanos(System.nanoTime() - start));
        });
    }

    /**
     * Whether POST /api/show lists "embedding" and not "completion" among the model's
     * capabilities.
     */
    public Mono<Boolean> embeddingOnly(String model) {
        ObjectNode body = JSON.createObjectNode().put("model", model);
        return call(post("/api/show", body)).map(show -> {
            List<String> capabilities = new ArrayList<>();
            show.path("capabilities").forEach(c -> capabilities.add(c.asString()));
            return capabilities.contains("embedding") && !capabilities.contains("completion");
        });
    }

    /**
     * GET /api/tags: the models this host has, by name as listed, with their size on disk
     * (what a fleet's placement assumes a model takes until /api/ps shows it loaded).
     */
    public Mono<Map<String, Long>> tags() {
        return call(upstream.client().get().uri(upstream.uri("/api/tags")).exchangeToMono(OllamaClient::json))
            .map(answer -> {
                Map<String, Long> sizes = new java.util.LinkedHashMap<>();
                for (JsonNode model : answer.path("models")) {
                    String name = model.path("name").asString(model.path("model").asString(""));
                    if (!name.isEmpty()) {
                        sizes.putIfAbsent(name, model.path("size").asLong(0));
                    }
                }
                return sizes;
            });
    }

    /** GET /api/version. */
    public Mono<String> version() {
        return call(upstream.client().get().uri(upstream.uri("/api/version")).exchangeToMono(OllamaClient::json))
            .map(answer -> answer.path("version").asString(""));
    }

    private Mono<JsonNode> post(String path, ObjectNode body) {
        return upstream.client()
            .post()
            .uri(upstream.uri(path))
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(JSON.writeValueAsBytes(body))
            .exchangeToMono(OllamaClient::json);
    }

    private <T> Mono<T> call(Mono<T> request) {
        return request.transformDeferred(CircuitBreakerOperator.of(breaker)).transformDeferred(RetryOperator.of(retry));
    }

    private static Mono<JsonNode> json(ClientResponse response) {
        return response.bodyToMono(String.class).defaultIfEmpty("").map(text -> {
            JsonNode node = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
            if (response.statusCode().isError()) {
                throw new OllamaException(response.statusCode().value(), node.path("error").asString(text));
            }
            return node;
        });
    }

    /**
     * Builds Jackson's (de)serializers now: on first use they are built under a lock,
     * which an event loop must not wait on.
     */
    private static JsonMapper warm(JsonMapper mapper) {
        JsonNode node = mapper.readTree("{\"models\":[{\"name\":\"m\",\"size_vram\":1}],\"keep_alive\":-1}");
        mapper.writeValueAsBytes(node);
        mapper.valueToTree(1L);
        mapper.valueToTree(new java.math.BigDecimal("0.5"));
        mapper.valueToTree(Boolean.TRUE);
        mapper.valueToTree("x");
        return mapper;
    }

    private static List<RunningModel> runningModels(JsonNode ps) {
        List<RunningModel> models = new ArrayList<>();
        for (JsonNode model : ps.path("models")) {
            models.add(new RunningModel(model.path("name").asString(model.path("model").asString("")),
                    expiry(model.path("expires_at").asString("")), model.path("size_vram").asLong(0),
                    model.path("context_length").asInt(0)));
        }
        return models;
    }

    private static Instant expiry(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        }
        catch (RuntimeException e) {
            return Instant.EPOCH; // unknown: treat as expiring, so the warmer re-pings
                                  // rather than trusts it
        }
    }

}
