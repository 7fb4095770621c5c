package dev.keepwarm.fake;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * POST /api/embed and the legacy /api/embeddings. Both load the model (any model: Ollama
 * asks no capability here) and apply keep_alive; an empty input only loads it.
 */
final class EmbedRoutes {

    private static final int DIMENSIONS = 8;

    private final ModelCatalog catalog;

    private final Scheduler scheduler;

    EmbedRoutes(ModelCatalog catalog, Scheduler scheduler) {
        this.catalog = catalog;
        this.scheduler = scheduler;
    }

    Mono<Void> embed(Exchange exchange) {
        JsonBody body = JsonBody.decode(exchange.received().body(), "api.EmbedRequest");
        Optional<Duration> keepAlive = KeepAlive.parse(body.field("keep_alive"));
        String model = body.string("model");
        ObjectNode options = body.object("options", "map[string]interface {}");
        if (model.isEmpty()) {
            throw ApiError.badRequest("model is required");
        }
        List<String> inputs = inputs(body.field("input"));
        ModelSpec spec = catalog.find(model).orElseThrow(() -> ApiError.notFound("model '" + model + "' not found"));
        RunnerOptions runnerOptions = RunnerOptions.from(options, spec);
        return scheduler.acquire(spec, runnerOptions, keepAlive, exchange.startNanos()).flatMap(lease -> {
            lease.release();
            ObjectNode response = Json.object().put("model", model);
            ArrayNode embeddings = response.putArray("embeddings");
            if (inputs.isEmpty()) {
                return exchange.json(200, response);
            }
            int tokens = 0;
            for (String input : inputs) {
                embeddings.add(vector(input));
                tokens += Generation.tokenCount(input);
            }
            response.put("total_duration", System.nanoTime() - exchange.startNanos())
                .put("load_duration", lease.loadNanos())
                .put("prompt_eval_count", tokens);
            return exchange.json(200, response);
        });
    }

    Mono<Void> embeddings(Exchange exchange) {
        JsonBody body = JsonBody.decode(exchange.received().body(), "api.EmbeddingRequest");
        Optional<Duration> keepAlive = KeepAlive.parse(body.field("keep_alive"));
        String model = body.string("model");
        String prompt = body.string("prompt");
        ObjectNode options = body.object("options", "map[string]interface {}");
        if (model.isEmpty()) {
            throw ApiError.badRequest("model is required");
        }
        // This handler reports a missing model through handleScheduleError, with its own
        // wording.
        ModelSpec spec = catalog.find(model)
            .orElseThrow(
                    () -> ApiError.notFound("model " + Responses.quoted(model) + " not found, try pulling it first"));
        RunnerOptions runnerOptions = RunnerOptions.from(options, spec);
        return scheduler.acquire(spec, runnerOptions, keepAlive, exchange.startNanos()).flatMap(lease -> {
            lease.release();
            ObjectNode response = Json.object();
            response.set("embedding", prompt.isEmpty() ? Json.array() : vector(prompt));
            return exchange.json(200, response);
        });
    }

    /** Ollama accepts a string or an array of strings; an empty string is no input. */
    private static List<String> inputs(JsonNode input) {
        List<String> inputs = new ArrayList<>();
        if (input == null || input.isNull()) {
            return inputs;
        }
        if (input.isString()) {
            if (!input.stringValue().isEmpty()) {
                inputs.add(input.stringValue());
            }
            return inputs;
        }
        if (!input.isArray()) {
            throw ApiError.badRequest("invalid input type");
        }
        for (JsonNode item : input) {
            if (!item.isString()) {
                throw ApiError.badRequest("invalid input type");
            }
            inputs.add(item.stringValue());
        }
        return inputs;
    }

    /** A deterministic unit vector per text, so equal inputs embed equally. */
    private static ArrayNode vector(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        double[] values = new double[DIMENSIONS];
        double norm = 0;
        for (int i = 0; i < DIMENSIONS; i++) {
            int h = 17 * (i + 1);
            for (byte b : bytes) {
                h = 31 * h + b;
            }
            values[i] = (h % 1000) / 1000.0 + 0.001;
            norm += values[i] * values[i];
        }
        ArrayNode vector = Json.array();
        for (double v : values) {
            vector.add((float) (v / Math.sqrt(norm)));
        }
        return vector;
    }

}
