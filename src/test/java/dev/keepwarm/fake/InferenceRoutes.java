package dev.keepwarm.fake;

import java.time.Duration;
import java.util.Optional;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * POST /api/generate and /api/chat, checked in the order of Ollama's handlers: body and
 * keep_alive, model name, unload request, capability, options; then the scheduler hands
 * over a runner and the answer is a load-only object, an NDJSON stream or one JSON
 * object.
 */
final class InferenceRoutes {

    private final ModelCatalog catalog;

    private final Scheduler scheduler;

    private final Settings settings;

    private final reactor.core.scheduler.Scheduler timer;

    private final Responses responses;

    InferenceRoutes(ModelCatalog catalog, Scheduler scheduler, Settings settings, Responses responses,
            reactor.core.scheduler.Scheduler timer) {
        this.catalog = catalog;
        this.scheduler = scheduler;
        this.settings = settings;
        this.timer = timer;
        this.responses = responses;
    }

    Mono<Void> generate(Exchange exchange) {
        return serve(exchange, Endpoint.GENERATE);
    }

    Mono<Void> chat(Exchange exchange) {
        return serve(exchange, Endpoint.CHAT);
    }

    private Mono<Void> serve(Exchange exchange, Endpoint endpoint) {
        JsonBody body = JsonBody.decode(exchange.received().body(), endpoint.goStruct());
        Optional<Duration> keepAlive = KeepAlive.parse(body.field("keep_alive"));
        String model = body.string("model");
        String input = endpoint == Endpoint.GENERATE ? body.string("prompt") : "";
        ArrayNode messages = endpoint == Endpoint.CHAT ? body.objects("messages", "api.Message") : Json.array();
        Boolean stream = body.bool("stream");
        ObjectNode options = body.object("options", "map[string]interface {}");
        boolean nothingToGenerate = endpoint == Endpoint.GENERATE ? input.isEmpty() : messages.isEmpty();

        ModelSpec spec = find(model);
        if (nothingToGenerate && keepAlive.equals(Optional.of(Duration.ZERO))) {
            scheduler.unload(spec);
            return exchange.json(200, responses.done(endpoint, model, "unload"));
        }
        if (spec.embedding()) {
            throw ApiError.badRequest(Responses.quoted(model) + " does not support " + endpoint.verb());
        }
        RunnerOptions runnerOptions = RunnerOptions.from(options, spec, settings.automaticContext())
            .withShift(body.bool("shift"));
        int promptTokens = endpoint == Endpoint.GENERATE ? Generation.tokenCount(input) : messageTokens(messages);
        boolean streaming = stream == null || stream;
        return scheduler.acquire(spec, runnerOptions, keepAlive, exchange.startNanos())
            .flatMap(lease -> answer(exchange, endpoint, model, nothingToGenerate, streaming, promptTokens, lease)
                .doFinally(signal -> lease.release()));
    }

    private ModelSpec find(String model) {
        if (model.isEmpty()) {
            throw ApiError.badRequest("model is required");
        }
        return catalog.find(model).orElseThrow(() -> ApiError.notFound("model '" + model + "' not found"));
    }

    private Mono<Void> answer(Exchange exchange, Endpoint endpoint, String model, boolean loadOnly, boolean streaming,
            int promptTokens, Lease lease) {
        if (loadOnly) {
            // A load-only request answers one JSON object even when streaming
            // (OLLAMA-API.md, zero-prompt ping).
            lease.release();
            return exchange.json(200, responses.done(endpoint, model, "load"));
        }
        Generation generation = new Generation(exchange.startNanos(), lease, promptTokens, settings, timer);
        if (!streaming) {
            return generation.tokens().collectList().flatMap(tokens -> {
                Timings timings = generation.finish();
                lease.release();
                return exchange.json(200, responses.finished(endpoint, model, String.join("", tokens), timings));
            });
        }
        Flux<byte[]> chunks = generation.tokens().map(token -> Json.line(responses.chunk(endpoint, model, token)));
        Mono<byte[]> last = Mono.fromSupplier(() -> {
            Timings timings = generation.finish();
            // Released before the last line is written, so a client that has read it sees
            // the model's new expiry.
            lease.release();
            return Json.line(responses.finished(endpoint, model, "", timings));
        });
        return exchange.stream(Exchange.NDJSON, chunks, last);
    }

    private static int messageTokens(ArrayNode messages) {
        int tokens = 0;
        for (JsonNode message : messages) {
            JsonNode content = message.path("content");
            tokens += Generation.tokenCount(content.isString() ? content.stringValue() : "");
        }
        return tokens;
    }

}
