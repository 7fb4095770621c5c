package dev.keepwarm.fake;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAI-compatible routes POST /v1/chat/completions and GET /v1/models. Ollama
 * rebuilds a native request without keep_alive and options, so the model loads with the
 * default keep_alive and context length, and a resident runner keeps its setting
 * (OLLAMA-API.md, "OpenAI- and Anthropic-compatible routes drop keep_alive").
 */
final class OpenAiRoutes {

    private final ModelCatalog catalog;

    private final Scheduler scheduler;

    private final Settings settings;

    private final reactor.core.scheduler.Scheduler timer;

    private final Clock clock;

    OpenAiRoutes(ModelCatalog catalog, Scheduler scheduler, Settings settings, Clock clock,
            reactor.core.scheduler.Scheduler timer) {
        this.catalog = catalog;
        this.scheduler = scheduler;
        this.settings = settings;
        this.timer = timer;
        this.clock = clock;
    }

    Mono<Void> chatCompletions(Exchange exchange) {
        return openAiErrors(exchange, () -> completions(exchange));
    }

    Mono<Void> models(Exchange exchange) {
        ObjectNode body = Json.object().put("object", "list");
        ArrayNode data = body.putArray("data");
        catalog.all().forEach(spec -> data.add(model(spec)));
        return exchange.json(200, body);
    }

    Mono<Void> model(Exchange exchange) {
        String name = exchange.received().path().substring("/v1/models/".length());
        return openAiErrors(exchange, () -> exchange.json(200, model(catalog.find(name)
            .orElseThrow(() -> ApiError.notFound("model " + Responses.quoted(name) + " not found")))));
    }

    private Mono<Void> completions(Exchange exchange) {
        JsonBody body = JsonBody.decode(exchange.received().body(), "openai.ChatCompletionRequest", "EOF");
        String model = body.string("model");
        ArrayNode messages = body.objects("messages", "openai.Message");
        Boolean stream = body.bool("stream");
        ObjectNode streamOptions = body.object("stream_options", "*openai.StreamOptions");
        if (messages.isEmpty()) {
            throw ApiError.badRequest("[] is too short - 'messages'");
        }
        if (model.isEmpty()) {
            throw ApiError.badRequest("model is required");
        }
        ModelSpec spec = catalog.find(model).orElseThrow(() -> ApiError.notFound("model '" + model + "' not found"));
        if (spec.embedding()) {
            throw ApiError.badRequest(Responses.quoted(model) + " does not support chat");
        }
        boolean usage = streamOptions != null && streamOptions.path("include_usage").asBoolean(false);
        int promptTokens = messages.size();
        return scheduler
            .acquire(spec, RunnerOptions.defaults(spec, settings.automaticContext()), Optional.empty(),
                    exchange.startNanos())
            .flatMap(lease -> answer(exchange, model, Boolean.TRUE.equals(stream), usage, promptTokens, lease)
                .doFinally(signal -> lease.release()));
    }

    private Mono<Void> answer(Exchange exchange, String model, boolean stream, boolean usage, int promptTokens,
            Lease lease) {
        Generation generation = new Generation(exchange.startNanos(), lease, promptTokens, settings, timer);
        String id = "chatcmpl-" + ThreadLocalRandom.current().nextInt(999);
        if (!stream) {
            return generation.tokens().collectList().flatMap(tokens -> {
                Timings timings = generation.finish();
                lease.release();
                ObjectNode completion = envelope(id, "chat.completion", model);
                completion.putArray("choices")
                    .addObject()
                    .put("index", 0)
                    .set("message", delta(String.join("", tokens)))
                    .put("finish_reason", "stop");
                completion.set("usage", usage(timings));
                return exchange.json(200, completion);
            });
        }
        Flux<byte[]> events = generation.tokens().map(token -> event(chunk(id, model, token, null)));
        Mono<byte[]> last = Mono.fromSupplier(() -> {
            Timings timings = generation.finish();
            lease.release();
            StringBuilder tail = new StringBuilder(sse(chunk(id, model, "", "stop")));
            if (usage) {
                ObjectNode usageChunk = envelope(id, "chat.completion.chunk", model);
                usageChunk.putArray("choices");
                usageChunk.set("usage", usage(timings));
                tail.append(sse(usageChunk));
            }
            return tail.append("data: [DONE]\n\n").toString().getBytes(StandardCharsets.UTF_8);
        });
        return exchange.stream(Exchange.EVENT_STREAM, events, last);
    }

    private ObjectNode chunk(String id, String model, String token, String finishReason) {
        ObjectNode chunk = envelope(id, "chat.completion.chunk", model);
        chunk.putArray("choices")
            .addObject()
            .put("index", 0)
            .set("delta", delta(token))
            .put("finish_reason", finishReason);
        return chunk;
    }

    private ObjectNode envelope(String id, String object, String model) {
        return Json.object()
            .put("id", id)
            .put("object", object)
            .put("created", clock.instant().getEpochSecond())
            .put("model", model)
            .put("system_fingerprint", "fp_ollama");
    }

    private ObjectNode model(ModelSpec spec) {
        String name = ModelNames.display(spec.name());
        String owner = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "library";
        return Json.object()
            .put("id", name)
            .put("object", "model")
            .put("created", clock.instant().getEpochSecond())
            .put("owned_by", owner);
    }

    private static ObjectNode delta(String content) {
        return Json.object().put("role", "assistant").put("content", content);
    }

    private static ObjectNode usage(Timings timings) {
        return Json.object()
            .put("prompt_tokens", timings.promptEvalCount())
            .put("completion_tokens", timings.evalCount())
            .put("total_tokens", timings.promptEvalCount() + timings.evalCount());
    }

    private static byte[] event(ObjectNode data) {
        return sse(data).getBytes(StandardCharsets.UTF_8);
    }

    private static String sse(ObjectNode data) {
        return "data: " + new String(Json.bytes(data), StandardCharsets.UTF_8) + "\n\n";
    }

    /** Errors in OpenAI's shape: {"error":{"message","type","param","code"}}. */
    private static Mono<Void> openAiErrors(Exchange exchange, Supplier<Mono<Void>> route) {
        return Mono.defer(route)
            .onErrorResume(ApiError.class, e -> exchange.headersSent() ? Mono.error(e)
                    : exchange.json(e.status(), error(e.status(), e.getMessage())));
    }

    private static ObjectNode error(int status, String message) {
        String type = switch (status) {
            case 400 -> "invalid_request_error";
            case 404 -> "not_found_error";
            default -> "api_error";
        };
        ObjectNode body = Json.object();
        body.putObject("error").put("message", message).put("type", type).putNull("param").putNull("code");
        return body;
    }

}
