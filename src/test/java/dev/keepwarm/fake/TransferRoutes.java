package dev.keepwarm.fake;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * POST /api/pull and /api/push, with the progress lines of Ollama's {@code PullModel} and
 * {@code PushModel} (server/images.go). A pull takes the model from the fake's
 * {@link Registry} and writes it, and its layers, to the fake's models; a push hands a
 * model the fake has to the registry.
 */
final class TransferRoutes {

    /** Lines of a pull besides the layers': manifest, verifying, writing, success. */
    private static final int FIXED_PULL_LINES = 4;

    private final ModelCatalog catalog;

    private final Registry registry;

    private final Blobs blobs;

    private final Faults faults;

    private final reactor.core.scheduler.Scheduler timer;

    TransferRoutes(ModelCatalog catalog, Registry registry, Blobs blobs, Faults faults,
            reactor.core.scheduler.Scheduler timer) {
        this.catalog = catalog;
        this.registry = registry;
        this.blobs = blobs;
        this.faults = faults;
        this.timer = timer;
    }

    Mono<Void> pull(Exchange exchange) {
        JsonBody body = JsonBody.decode(exchange.received().body(), "api.PullRequest");
        String model = body.string("model");
        String name = model.isEmpty() ? body.string("name") : model;
        Boolean stream = body.bool("stream");
        body.bool("insecure"); // type-checked as Go decodes it, then ignored
        // parseNormalizePullModelRef, then writeModelRefParseError: a blank name is
        // "invalid model name" too
        if (!ValidNames.valid(name.trim())) {
            throw ApiError.badRequest("invalid model name");
        }
        Progress progress = new Progress(timer);
        pullInto(progress, name.trim());
        return progress.answer(exchange, stream == null || stream, faults);
    }

    /**
     * Adds the lines of pulling {@code name} to {@code progress}; the model and its
     * layers are written when its {@code success} line is.
     */
    void pullInto(Progress progress, String name) {
        Optional<ModelSpec> offered = registry.find(name);
        if (offered.isEmpty()) {
            progress.status("pulling manifest").fail("pull model manifest: file does not exist");
            return;
        }
        ModelSpec spec = offered.get();
        List<Layer> layers = Layer.of(spec);
        int lineCount = FIXED_PULL_LINES;
        for (Layer layer : layers) {
            lineCount += blobs.has(layer.digest()) ? 1 : 2;
        }
        Duration step = registry.pullTime().dividedBy(lineCount);
        progress.status("pulling manifest", step, () -> {
        });
        for (Layer layer : layers) {
            String status = "pulling " + layer.shortDigest();
            if (!blobs.has(layer.digest())) {
                // Ollama reports progress every 60 ms while a blob downloads; a cached
                // blob gets only its last line
                progress.transfer(status, layer, 0, step);
            }
            progress.transfer(status, layer, layer.size(), step);
        }
        progress.status("verifying sha256 digest", step, () -> {
        }).status("writing manifest", step, () -> {
        }).status("success", step, () -> {
            layers.forEach(layer -> blobs.add(layer.digest(), layer.size()));
            catalog.add(spec);
        });
    }

    Mono<Void> push(Exchange exchange) {
        JsonBody body = JsonBody.decode(exchange.received().body(), "api.PushRequest");
        String model = body.string("model");
        String name = model.isEmpty() ? body.string("name") : model;
        Boolean stream = body.bool("stream");
        body.bool("insecure"); // type-checked as Go decodes it, then ignored
        if (name.isEmpty()) {
            throw ApiError.badRequest("model is required");
        }
        Progress progress = new Progress(timer).status("retrieving manifest");
        Optional<ModelSpec> found = catalog.find(name);
        if (found.isEmpty()) {
            // manifest.ParseNamedManifest's os.Open error
            progress.status("couldn't retrieve manifest")
                .fail("open " + ValidNames.manifestPath(name) + ": no such file or directory");
        }
        else {
            for (Layer layer : Layer.of(found.get())) {
                String status = "pushing " + layer.shortDigest();
                progress.transfer(status, layer, 0, Duration.ZERO).transfer(status, layer, layer.size(), Duration.ZERO);
            }
            progress.status("pushing manifest").status("success", Duration.ZERO, () -> registry.add(found.get()));
        }
        return progress.answer(exchange, stream == null || stream, faults);
    }

}
