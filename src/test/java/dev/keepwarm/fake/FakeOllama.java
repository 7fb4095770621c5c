package dev.keepwarm.fake;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * An in-process Ollama for integration tests, on 127.0.0.1 and a random port. It behaves
 * like Ollama 0.33 where keepwarm depends on it (see shared/OLLAMA-API.md): keep_alive
 * parsing and expiry, serialised loads with a real delay, reloads on other runner
 * options, eviction, load-only and unload pings, NDJSON and SSE streaming, the Host
 * check, the model-management routes (pull and push against a {@link Registry}, create,
 * copy, delete, blob upload), and it records every request it receives. Time for expiry
 * comes from the given {@link Clock} (use {@link MutableClock} to move it); load times
 * and token spacing are real delays.
 *
 * <pre>{@code
 * try (FakeOllama ollama = FakeOllama.start().withModel("llama3.2")) {
 *     // point the proxy at ollama.url() ...
 *     assertThat(ollama.loaded()).extracting(LoadedModel::name).containsExactly("llama3.2:latest");
 * }
 * }</pre>
 */
public final class FakeOllama implements AutoCloseable {

    private final Settings settings = new Settings();

    private final ModelCatalog catalog = new ModelCatalog();

    private final Journal journal = new Journal();

    private final Faults faults = new Faults();

    private final Registry registry = new Registry();

    private final Blobs blobs = new Blobs();

    private final BlobRoutes blobRoutes;

    private final reactor.core.scheduler.Scheduler timer = timer();

    private final Scheduler scheduler;

    private final LoopResources loops;

    private final Router router;

    private final int port;

    private volatile DisposableServer server;

    private final InfoRoutes info;

    private volatile boolean modelManagement;

    /**
     * Every open connection, so that {@link #stop()} can drop the keep-alive ones as a
     * dying Ollama would.
     */
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    private FakeOllama(Clock clock) {
        this.scheduler = new Scheduler(clock, settings, timer);
        Responses responses = new Responses(clock);
        this.info = new InfoRoutes(catalog, scheduler, clock);
        InferenceRoutes inference = new InferenceRoutes(catalog, scheduler, settings, responses, timer);
        EmbedRoutes embed = new EmbedRoutes(catalog, scheduler);
        OpenAiRoutes openAi = new OpenAiRoutes(catalog, scheduler, settings, clock, timer);
        TransferRoutes transfers = new TransferRoutes(catalog, registry, blobs, faults, timer);
        ModelRoutes models = new ModelRoutes(catalog, registry, blobs, transfers, faults, timer);
        this.blobRoutes = new BlobRoutes(blobs, settings, journal, faults);
        this.router = new Router(settings, journal, faults).on("GET", "/", info::root)
            .on("HEAD", "/", info::root)
            .on("GET", "/api/version", info::version)
            .on("HEAD", "/api/version", info::version)
            .on("GET", "/api/tags", info::tags)
            .on("HEAD", "/api/tags", info::tags)
            .on("GET", "/api/ps", info::ps)
            .on("POST", "/api/show", info::show)
            .on("POST", "/api/generate", inference::generate)
            .on("POST", "/api/chat", inference::chat)
            .on("POST", "/api/embed", embed::embed)
            .on("POST", "/api/embeddings", embed::embeddings)
            .on("POST", "/v1/chat/completions", openAi::chatCompletions)
            .on("GET", "/v1/models", openAi::models)
            .onPrefix("GET", "/v1/models/", openAi::model)
            .on("POST", "/api/pull", managed(transfers::pull))
            .on("POST", "/api/push", managed(transfers::push))
            .on("POST", "/api/create", managed(models::create))
            .on("DELETE", "/api/delete", managed(models::delete))
            .on("POST", "/api/copy", managed(models::copy))
            .onPrefix("HEAD", BlobRoutes.PREFIX, managed(blobRoutes::head));
        // Own event loops: a Spring context closing the shared Reactor Netty resources
        // must not stop this server.
        this.loops = LoopResources.create("fake-ollama", 1, 2, true);
        try {
            this.server = bind(0);
            this.port = server.port();
        }
        catch (RuntimeException e) {
            loops.dispose();
            timer.dispose();
            throw e;
        }
    }

    private DisposableServer bind(int port) {
        return HttpServer.create()
            .runOn(loops)
            .host("127.0.0.1")
            .port(port)
            .channelGroup(connections)
            // POST /api/blobs/:digest is answered before the router, which would read
            // the whole upload into memory
            .handle((request, response) -> modelManagement && BlobRoutes.isUpload(request)
                    ? blobRoutes.upload(request, response) : router.handle(request, response))
            .bindNow(Duration.ofSeconds(10));
    }

    /** Starts a fake Ollama on the system clock. */
    public static FakeOllama start() {
        return start(Clock.systemDefaultZone());
    }

    /** Starts a fake Ollama whose expiry and timestamps follow {@code clock}. */
    public static FakeOllama start(Clock clock) {
        return new FakeOllama(Objects.requireNonNull(clock, "clock"));
    }

    /** The base URL, e.g. {@code http://127.0.0.1:41234}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** The port the server listens on (127.0.0.1). */
    public int port() {
        return port;
    }

    /**
     * Ollama goes away: the port refuses connections, open connections close, and every
     * loaded model is gone. Requests received so far stay in the journal.
     */
    public void stop() {
        server.disposeNow(Duration.ofSeconds(5));
        connections.close().awaitUninterruptibly(5_000);
        scheduler.reset();
    }

    /**
     * Ollama comes back (after {@link #stop()}, or as a restart): same port, no model
     * loaded.
     */
    public void restart() {
        if (!server.isDisposed()) {
            stop();
        }
        server = bind(port);
    }

    /** Answers /api/version with this version from now on (0.33.0 until then). */
    public FakeOllama version(String version) {
        info.reportVersion(version);
        return this;
    }

    /** Adds a completion model with the defaults of {@link ModelSpec#of(String)}. */
    public FakeOllama withModel(String name) {
        return withModel(ModelSpec.of(name));
    }

    /** Adds a model, replacing a known model of the same name. */
    public FakeOllama withModel(ModelSpec spec) {
        catalog.add(Objects.requireNonNull(spec, "spec"));
        return this;
    }

    /**
     * Whether the fake answers the model-management routes: POST /api/pull, /api/push,
     * /api/create, /api/copy, DELETE /api/delete, HEAD and POST /api/blobs/:digest
     * (default false: they answer gin's {@code 404 page not found}, as before the fake
     * had them, which tests of forwarding rely on).
     */
    public FakeOllama modelManagement(boolean enabled) {
        this.modelManagement = enabled;
        return this;
    }

    /**
     * The registry this fake pulls from and pushes to: add the models a pull may fetch
     * ({@code ollama.registry().add("llama3.2")}), make pulls slow with
     * {@link Registry#pullTime}.
     */
    public Registry registry() {
        return registry;
    }

    /**
     * The fake holds a blob of {@code size} bytes under {@code digest}
     * ({@code sha256:<hex>}), as if uploaded: HEAD /api/blobs answers 200 and /api/create
     * may use it.
     */
    public FakeOllama withBlob(String digest, long size) {
        if (!Blobs.valid(Objects.requireNonNull(digest, "digest"))) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        blobs.add(digest, size);
        return this;
    }

    /**
     * The digests ({@code sha256:<hex>}) of the blobs the fake holds: uploads and the
     * layers of pulled models.
     */
    public Set<String> blobs() {
        return blobs.digests();
    }

    /** The names of the models the fake has, as /api/tags lists them. */
    public List<String> models() {
        return catalog.all().stream().map(spec -> ModelNames.display(spec.name())).toList();
    }

    /**
     * OLLAMA_KEEP_ALIVE: the keep_alive of a load without one (default 5m; negative means
     * forever).
     */
    public FakeOllama defaultKeepAlive(Duration keepAlive) {
        settings.defaultKeepAlive(Objects.requireNonNull(keepAlive, "keepAlive"));
        return this;
    }

    /**
     * How many tokens each generation streams, and the delay before each (default 5
     * tokens, no delay).
     */
    public FakeOllama tokens(int count, Duration interval) {
        settings.tokens(count, Objects.requireNonNull(interval, "interval"));
        return this;
    }

    /** OLLAMA_MAX_LOADED_MODELS (default 3). */
    public FakeOllama maxLoadedModels(int max) {
        settings.maxLoadedModels(max);
        return this;
    }

    /**
     * Whether to answer 403 to a Host header Ollama bound to loopback refuses (default
     * true).
     */
    public FakeOllama requireLoopbackHost(boolean required) {
        settings.requireLoopbackHost(required);
        return this;
    }

    /**
     * Whether to keep every request in {@link #received()} (default true). The
     * benchmark's standalone server turns it off: a load test sends millions of requests,
     * and the journal would hold each one and its body.
     */
    public FakeOllama recordRequests(boolean record) {
        settings.recordRequests(record);
        return this;
    }

    /** Every request received so far, in arrival order. */
    public List<Received> received() {
        return journal.received();
    }

    /** The requests received on {@code path} (without query), in arrival order. */
    public List<Received> received(String path) {
        return journal.received().stream().filter(r -> r.path().equals(path)).toList();
    }

    /**
     * The requests received with {@code method} on {@code path} (without query), in
     * arrival order: HEAD and POST /api/blobs/:digest share a path.
     */
    public List<Received> received(String method, String path) {
        return received(path).stream().filter(r -> r.method().equals(method)).toList();
    }

    /** The latest request received on {@code path}, if any. */
    public Optional<Received> lastReceived(String path) {
        List<Received> onPath = received(path);
        return onPath.isEmpty() ? Optional.empty() : Optional.of(onPath.get(onPath.size() - 1));
    }

    /** The resident models, as /api/ps would list them now. */
    public List<LoadedModel> loaded() {
        return scheduler.loaded();
    }

    /**
     * Every model runner's stay in memory since the start or the last {@link #reset()}:
     * those that ended (expired, evicted, unloaded, reloaded, aborted), in the order they
     * ended, then the resident ones. The benchmark's memory-time comes from it.
     */
    public List<ResidencyInterval> residencyLog() {
        return scheduler.residencyLog();
    }

    /** How many loads of {@code model} completed, reloads included. */
    public int loadCount(String model) {
        return scheduler.loadCount(model);
    }

    /**
     * Requests whose client went away before the answer was complete, including during a
     * load.
     */
    public List<Received> cancelled() {
        return journal.cancelled();
    }

    /**
     * The next request to {@code path} gets this status and JSON body instead of its
     * answer.
     */
    public void failNext(String path, int status, String jsonBody) {
        faults.failNext(path, status, Objects.requireNonNull(jsonBody, "jsonBody"));
    }

    /**
     * The next streamed answer on {@code path} closes the connection after
     * {@code afterChunks} chunks.
     */
    public void dieMidStreamNext(String path, int afterChunks) {
        faults.dieMidStreamNext(path, afterChunks);
    }

    /**
     * The next status stream on {@code path} (/api/pull, /api/push, /api/create) sends
     * {@code afterLines} progress lines, then {@code {"error": message}} under HTTP 200
     * and ends, as Ollama reports a failure once streaming has begun; with
     * {@code "stream":false} it is a 500 with that error. What the failed operation would
     * have written (a pulled model) is not written. With {@code afterLines} 0 the answer
     * is a 500 before any line, as when Ollama fails before writing.
     */
    public void errorMidStreamNext(String path, int afterLines, String message) {
        faults.errorMidStreamNext(path, afterLines, Objects.requireNonNull(message, "message"));
    }

    /**
     * Requests to {@code path} are accepted and never answered, as an Ollama that accepts
     * TCP and hangs (OLLAMA-API.md, "Since v0.33": #15950); {@link #answer(String)} ends
     * it for later requests.
     */
    public void hang(String path) {
        faults.hang(Objects.requireNonNull(path, "path"));
    }

    /** Requests to {@code path} are answered again (those already hanging stay hung). */
    public void answer(String path) {
        faults.answer(Objects.requireNonNull(path, "path"));
    }

    /**
     * The runner of a loaded model crashes but /api/ps keeps listing it (Ollama
     * #17428/#17509); the next request for it finds the runner dead and reloads it, with
     * that request's keep_alive.
     */
    public void killRunner(String model) {
        scheduler.kill(Objects.requireNonNull(model, "model"));
    }

    /**
     * The scheduler deadlocks (Ollama #17408, #14407): requests for loaded models with
     * matching options are still served, every request that needs a load waits forever.
     * {@link #unwedge()} lets the queued loads run.
     */
    public void wedge() {
        scheduler.wedged(true);
    }

    /** The scheduler runs again: loads queued during the wedge start now. */
    public void unwedge() {
        scheduler.wedged(false);
    }

    /**
     * OLLAMA_CONTEXT_LENGTH=0, Ollama's default since 0.33 (OLLAMA-API.md, "Since
     * v0.33"): a runner loaded without num_ctx gets a context Ollama chose, and a request
     * with any explicit num_ctx reloads it (and vice versa).
     */
    public FakeOllama automaticContext(boolean automatic) {
        settings.automaticContext(automatic);
        return this;
    }

    /**
     * Forgets requests, cancellations, armed faults, resident models and load counts;
     * keeps models and settings.
     */
    public void reset() {
        journal.clear();
        faults.clear();
        scheduler.reset();
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
        scheduler.reset();
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
        timer.dispose();
    }

    /** A management route, or gin's 404 while {@link #modelManagement} is off. */
    private Function<Exchange, Mono<Void>> managed(Function<Exchange, Mono<Void>> route) {
        return exchange -> modelManagement ? route.apply(exchange)
                : exchange.text(404, "text/plain", "404 page not found");
    }

    /**
     * Load delays and token spacing run on a thread of their own: not on
     * Schedulers.parallel(), which StepVerifier.withVirtualTime replaces and resets while
     * a fake may be serving other tests.
     */
    private static reactor.core.scheduler.Scheduler timer() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "fake-ollama-timer");
            thread.setDaemon(true);
            return thread;
        });
        return Schedulers.fromExecutorService(executor, "fake-ollama-timer");
    }

}
