package dev.keepwarm.fake;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * POST /api/create, DELETE /api/delete and POST /api/copy, checked in the order of
 * Ollama's handlers (server/create.go, server/routes.go). Delete removes the model from
 * the catalogue only: like Ollama, it does not unload a resident runner.
 */
final class ModelRoutes {

    /** Request fields that make Ollama's createModel write a layer of their own. */
    private static final List<String> NEW_LAYER_FIELDS = List.of("template", "system", "license", "parameters",
            "messages");

    private final ModelCatalog catalog;

    private final Blobs blobs;

    private final Registry registry;

    private final TransferRoutes transfers;

    private final Faults faults;

    private final reactor.core.scheduler.Scheduler timer;

    ModelRoutes(ModelCatalog catalog, Registry registry, Blobs blobs, TransferRoutes transfers, Faults faults,
            reactor.core.scheduler.Scheduler timer) {
        this.catalog = catalog;
        this.registry = registry;
        this.blobs = blobs;
        this.transfers = transfers;
        this.faults = faults;
        this.timer = timer;
    }

    Mono<Void> create(Exchange exchange) {
        JsonBody body = JsonBody.decode(exchange.received().body(), "api.CreateRequest");
        Map<String, String> files = files(body);
        String model = body.string("model");
        String name = model.isEmpty() ? body.string("name") : model;
        String from = body.string("from");
        Boolean stream = body.bool("stream");
        boolean streaming = stream == null || stream;
        if (!ValidNames.valid(name)) {
            throw ApiError.badRequest("invalid model name");
        }
        Progress progress = new Progress(timer);
        ModelSpec created;
        if (!from.isEmpty()) {
            created = fromModel(progress, name, from);
        }
        else if (files != null) {
            created = fromFiles(progress, name, files);
        }
        else {
            progress.fail(400, "neither 'from' or 'files' was specified");
            created = null;
        }
        for (String field : NEW_LAYER_FIELDS) {
            JsonNode value = body.field(field);
            if (value != null && !value.isNull()) {
                progress.status("creating new layer " + Layer.sha256(Json.bytes(value)));
            }
        }
        progress.status("writing manifest").status("success", Duration.ZERO, () -> catalog.add(created));
        return progress.answer(exchange, streaming, faults);
    }

    /**
     * A copy of the model {@code from}, pulled first (parseFromModel) when the fake does
     * not have it.
     */
    private ModelSpec fromModel(Progress progress, String name, String from) {
        if (!ValidNames.valid(from)) {
            progress.fail(400, "invalid model name");
            return null;
        }
        Optional<ModelSpec> base = catalog.find(from);
        if (base.isEmpty()) {
            transfers.pullInto(progress, from); // with the pull's own lines and success,
                                                // or its error
        }
        ModelSpec source = base.or(() -> registry.find(from)).orElseGet(() -> ModelSpec.of(from));
        Layer.of(source).forEach(layer -> progress.status("using existing layer " + layer.digest()));
        return new ModelSpec(name, source.loadTime(), source.embedding(), source.sizeBytes(),
                source.defaultContextLength());
    }

    /** A model made of uploaded GGUF blobs, as big as they are together. */
    private ModelSpec fromFiles(Progress progress, String name, Map<String, String> files) {
        if (files.isEmpty()) {
            // detectModelTypeFromFiles finds no type in an empty map
            progress.fail(400, "unknown type");
        }
        long size = 0;
        for (String digest : files.values()) {
            progress.status("parsing GGUF");
            if (!blobs.has(digest)) {
                progress.fail(Blobs.missing(digest));
            }
            size += Math.max(0, blobs.size(digest));
        }
        files.values().forEach(digest -> progress.status("using existing layer " + digest));
        return ModelSpec.of(name).withSizeBytes(size > 0 ? size : ModelSpec.DEFAULT_SIZE_BYTES);
    }

    /**
     * {@code files}: a map of relative path to digest, checked before anything runs;
     * {@code null} when absent.
     */
    private static Map<String, String> files(JsonBody body) {
        ObjectNode files = body.object("files", "map[string]string");
        if (files == null) {
            return null;
        }
        Map<String, String> byPath = new TreeMap<>();
        for (Map.Entry<String, JsonNode> file : files.properties()) {
            JsonNode digest = file.getValue();
            if (!digest.isString() && !digest.isNull()) {
                throw ApiError.badRequest("json: cannot unmarshal " + JsonBody.goKind(digest)
                        + " into Go struct field CreateRequest.files of type string");
            }
            if (!validPath(file.getKey())) {
                throw ApiError.badRequest("file path must be relative");
            }
            if (digest.isNull() || digest.stringValue().isEmpty()) {
                throw ApiError.badRequest("invalid digest format");
            }
            byPath.put(file.getKey(), digest.stringValue());
        }
        return byPath;
    }

    /** Go's fs.ValidPath: relative, no empty, "." or ".." elements. */
    private static boolean validPath(String path) {
        if (path.equals(".")) {
            return true;
        }
        for (String element : path.split("/", -1)) {
            if (element.isEmpty() || element.equals(".") || element.equals("..")) {
                return false;
            }
        }
        return true;
    }

    Mono<Void> delete(Exchange exchange) {
        JsonBody body = JsonBody.decode(exchange.received().body(), "api.DeleteRequest");
        String model = body.string("model");
        String name = model.isEmpty() ? body.string("name") : model;
        if (name.isBlank()) {
            throw ApiError.badRequest("model is required");
        }
        if (!ValidNames.valid(name.trim())) {
            throw ApiError.badRequest("name " + Responses.quoted(name) + " is invalid");
        }
        if (catalog.remove(name.trim()).isEmpty()) {
            throw ApiError.notFound("model '" + name + "' not found");
        }
        return exchange.empty(200);
    }

    Mono<Void> copy(Exchange exchange) {
        JsonBody body = JsonBody.decode(exchange.received().body(), "api.CopyRequest");
        String source = body.string("source");
        String destination = body.string("destination");
        if (!ValidNames.valid(source) || source.isBlank()) {
            throw ApiError.badRequest("source " + Responses.quoted(source) + " is invalid");
        }
        if (!ValidNames.valid(destination) || destination.isBlank()) {
            throw ApiError.badRequest("destination " + Responses.quoted(destination) + " is invalid");
        }
        if (ModelNames.key(source).equals(ModelNames.key(destination))) {
            return exchange.empty(200); // CopyModel returns before opening anything
        }
        ModelSpec spec = catalog.find(source)
            .orElseThrow(() -> ApiError.notFound("model " + Responses.quoted(source) + " not found"));
        catalog.add(new ModelSpec(destination, spec.loadTime(), spec.embedding(), spec.sizeBytes(),
                spec.defaultContextLength()));
        return exchange.empty(200);
    }

}
