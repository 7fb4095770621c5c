package dev.keepwarm.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The trace-replay benchmark of issue 14 (adaptive keep-alive): generates a synthetic
 * trace ({@link TraceShapes}), tells the fake Ollama its models, and replays a trace
 * against keepwarm with time compressed, then accounts cold starts and memory-time.
 *
 * <pre>
 * TraceReplay generate --models 40 --hours 12 --seed 1 --population-seed 7 [--day-hours 6] --out trace.txt
 * TraceReplay fake-args --trace trace.txt --compression 720 [--min-load-ms 4]
 * TraceReplay replay --trace trace.txt --url http://127.0.0.1:PORT --control http://127.0.0.1:CONTROL
 *                    --compression 720 [--min-load-ms 4] [--warmup-model M --warmup-seconds S [--warmup-requests N]]
 *                    --label NAME [--policy TEXT] [--residency-out F] [--requests-out F] --out result.json
 * </pre>
 *
 * <p>
 * {@code fake-args} prints the {@code --model NAME=LOAD_MS,SIZE_BYTES} options of
 * {@link FakeOllamaServer}, one a line: load times divided by the compression, at least
 * {@code --min-load-ms}.
 *
 * <p>
 * {@code replay} sends each request at its offset divided by the compression, on its own
 * (asynchronous: a slow answer never delays the next send; how late each send was is
 * reported), as {@code POST /api/generate} with a prompt and {@code "stream":false} and
 * no {@code keep_alive} (keepwarm's policy decides it). After the trace's end (its
 * duration, compressed) and the last answer it reads the fake's residency log
 * ({@code GET /residency}) and accounts memory-time with {@link ResidencyAccount}, in
 * trace time. A request is a cold start when its {@code load_duration}, as Ollama reports
 * it, is at least half its model's scaled load time (as keepwarm's cold-start metric
 * counts) and a load of its model ran between its send and its answer (the residency log:
 * a load compressed to a few milliseconds is too short to tell from scheduling noise by
 * {@code load_duration} alone on a busy machine; that count is reported beside it); its
 * cold-start seconds are the model's unscaled load time. The result JSON has totals and
 * one entry per model. Errors are results: the program exits 0 whenever it could run.
 */
public final class TraceReplay {

    private static final Pattern LOAD_DURATION = Pattern.compile("\"load_duration\"\\s*:\\s*(\\d+)");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final int SAMPLES_KEPT = 10;

    private TraceReplay() {
    }

    /**
     * What one request measured: when it was sent and answered (microseconds since the
     * epoch), how late it was sent, its {@code load_duration}; {@code error} null when it
     * was answered 200.
     */
    private record Result(Trace.Request request, long sentUs, long answeredUs, long lagNanos, long loadNanos,
            String error) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: TraceReplay generate|fake-args|replay --name value ...");
        }
        Args options = Args.parse(java.util.Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "generate" -> generate(options);
            case "fake-args" -> fakeArgs(options);
            case "replay" -> replay(options);
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    private static void generate(Args options) throws IOException {
        int count = (int) options.longValue("models", 40);
        double hours = Double.parseDouble(options.value("hours", "12"));
        long seed = options.longValue("seed", 1);
        long populationSeed = options.longValue("population-seed", 7);
        double dayHours = Double.parseDouble(options.value("day-hours", "6"));
        String header = String.format(Locale.ROOT, "models %d hours %s seed %d population_seed %d day_hours %s", count,
                hours, seed, populationSeed, dayHours);
        Trace trace = TraceShapes.trace(TraceShapes.population(count, populationSeed), Math.round(hours * 3_600_000),
                seed, dayHours, header);
        Path out = Path.of(options.required("out"));
        trace.write(out);
        long rare = trace.counts().values().stream().filter(n -> n < hours).count();
        System.out.printf(Locale.ROOT, "%s: %d requests over %d models in %s h (%d models below 1 request an hour)%n",
                out, trace.requests().size(), count, hours, rare);
    }

    private static void fakeArgs(Args options) throws IOException {
        Trace trace = Trace.read(Path.of(options.required("trace")));
        double compression = Double.parseDouble(options.required("compression"));
        long minLoad = options.longValue("min-load-ms", 4);
        for (Trace.Model model : trace.models()) {
            System.out.println("--model");
            System.out
                .println(model.name() + "=" + scaledLoadMillis(model, compression, minLoad) + "," + model.sizeBytes());
        }
    }

    /** The load time the fake gets: the model's, compressed, at least {@code minLoad}. */
    static long scaledLoadMillis(Trace.Model model, double compression, long minLoad) {
        return Math.max(minLoad, Math.round(model.loadMillis() / compression));
    }

    private static void replay(Args options) throws Exception {
        Path tracePath = Path.of(options.required("trace"));
        Trace trace = Trace.read(tracePath);
        URI url = URI.create(options.required("url") + "/api/generate");
        String control = options.required("control");
        double compression = Double.parseDouble(options.required("compression"));
        long minLoad = options.longValue("min-load-ms", 4);
        Map<String, Trace.Model> models = trace.byName();

        ExecutorService pool = Executors.newFixedThreadPool(4, daemon("replay-client"));
        HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .executor(pool)
            .build();
        ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        warmUp(http, url, options);
        // the first send a second from now, once the warm-up's answers are in
        long startNanos = System.nanoTime() + 1_000_000_000L;
        EpochMicros clock = new EpochMicros();
        long startUs = clock.at(startNanos);
        long endNanos = startNanos + (long) (trace.durationMillis() * 1e6 / compression);
        for (Trace.Request request : trace.requests()) {
            long due = startNanos + (long) (request.offsetMillis() * 1e6 / compression);
            waitUntil(due);
            long lag = System.nanoTime() - due;
            String body = "{\"model\":\"" + request.model() + "\",\"prompt\":\"Why is the sky blue?\","
                    + "\"stream\":false}";
            HttpRequest post = HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
            long sentUs = clock.micros();
            pending.add(http.sendAsync(post, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
                results.add(result(request, sentUs, clock.micros(), lag, response, failure));
                return null;
            }));
        }
        waitUntil(endNanos);
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(180, TimeUnit.SECONDS);
        long endUs = startUs + (endNanos - startNanos) / 1000;
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        String residencyJson = get(http, control + "/residency");
        JsonNode residency = JSON.readTree(residencyJson);
        String residencyOut = options.value("residency-out", "");
        if (!residencyOut.isEmpty()) {
            Files.writeString(Path.of(residencyOut), residencyJson, StandardCharsets.UTF_8);
        }
        pool.shutdownNow();

        Map<String, ResidencyAccount.Usage> usage = ResidencyAccount.account(residency, startUs, endUs, compression);
        ObjectNode out = JSON.createObjectNode();
        out.put("label", options.required("label"));
        out.put("policy", options.value("policy", ""));
        out.put("trace", tracePath.getFileName().toString());
        out.put("trace_header", trace.header());
        out.put("trace_hours", trace.durationMillis() / 3_600_000.0);
        out.put("compression", compression);
        out.put("min_load_ms", minLoad);
        out.put("elapsed_s", elapsed);
        out.put("requests", trace.requests().size());
        List<Long> lags = new ArrayList<>();
        List<String> errorSamples = new ArrayList<>();
        int errors = 0;
        int cold = 0;
        int loadDurationCold = 0;
        int residencyCold = 0;
        ResidencyAccount.Loads loads = ResidencyAccount.loads(residency);
        double coldSeconds = 0;
        double waitedSeconds = 0;
        // per model: requests, cold starts, cold starts after its first request
        Map<String, int[]> perModel = new java.util.LinkedHashMap<>();
        trace.models().forEach(m -> perModel.put(m.name(), new int[3]));
        Map<String, Long> firstSent = new java.util.HashMap<>();
        results.forEach(r -> firstSent.merge(r.request().model(), r.sentUs(), Math::min));
        for (Result result : results) {
            lags.add(result.lagNanos());
            int[] counts = perModel.get(result.request().model());
            counts[0]++;
            if (result.error() != null) {
                errors++;
                if (errorSamples.size() < SAMPLES_KEPT) {
                    errorSamples.add(result.request().model() + ": " + result.error());
                }
                continue;
            }
            Trace.Model model = models.get(result.request().model());
            long threshold = scaledLoadMillis(model, compression, minLoad) * 1_000_000L / 2;
            boolean waited = result.loadNanos() >= threshold;
            if (waited) {
                loadDurationCold++;
            }
            boolean overlapped = loads.during(model.name(), result.sentUs(), result.answeredUs());
            if (overlapped) {
                residencyCold++;
            }
            if (waited && overlapped) {
                counts[1]++;
                if (result.sentUs() != firstSent.get(model.name())) {
                    counts[2]++;
                }
                cold++;
                coldSeconds += model.loadMillis() / 1000.0;
                waitedSeconds += result.loadNanos() / 1e9 * compression;
            }
        }
        String requestsOut = options.value("requests-out", "");
        if (!requestsOut.isEmpty()) {
            StringBuilder lines = new StringBuilder(
                    "# offset_ms model sent_us answered_us load_duration_ns cold error\n");
            results.stream()
                .sorted(java.util.Comparator.comparingLong(Result::sentUs))
                .forEach(r -> lines.append(r.request().offsetMillis())
                    .append(' ')
                    .append(r.request().model())
                    .append(' ')
                    .append(r.sentUs())
                    .append(' ')
                    .append(r.answeredUs())
                    .append(' ')
                    .append(r.loadNanos())
                    .append(' ')
                    .append(r.error() == null && loads.during(r.request().model(), r.sentUs(), r.answeredUs())
                            && r.loadNanos() >= scaledLoadMillis(models.get(r.request().model()), compression, minLoad)
                                    * 1_000_000L / 2)
                    .append(' ')
                    .append(r.error() == null ? "-" : r.error().replace(' ', '_'))
                    .append('\n'));
            Files.writeString(Path.of(requestsOut), lines, StandardCharsets.UTF_8);
        }
        out.put("ok", trace.requests().size() - errors);
        out.put("errors", errors);
        ArrayNode samples = out.putArray("error_samples");
        errorSamples.forEach(samples::add);
        Collections.sort(lags);
        ObjectNode lag = out.putObject("send_lag_ms");
        lag.put("p50", percentile(lags, 50) / 1e6);
        lag.put("p99", percentile(lags, 99) / 1e6);
        lag.put("max", lags.isEmpty() ? 0 : lags.get(lags.size() - 1) / 1e6);
        List<Long> latencies = new ArrayList<>();
        results.forEach(r -> latencies.add((r.answeredUs() - r.sentUs()) * 1000));
        Collections.sort(latencies);
        ObjectNode latency = out.putObject("latency_ms");
        latency.put("p50", percentile(latencies, 50) / 1e6);
        latency.put("p90", percentile(latencies, 90) / 1e6);
        latency.put("p99", percentile(latencies, 99) / 1e6);
        out.put("cold_starts", cold);
        out.put("cold_starts_by_load_duration", loadDurationCold);
        out.put("cold_starts_by_residency", residencyCold);
        out.put("cold_seconds", coldSeconds);
        out.put("waited_seconds", waitedSeconds);
        ResidencyAccount.Usage total = new ResidencyAccount.Usage();
        ArrayNode modelRows = out.putArray("models");
        for (Trace.Model model : trace.models()) {
            int[] counts = perModel.get(model.name());
            ResidencyAccount.Usage used = usage.getOrDefault(model.name(), new ResidencyAccount.Usage());
            total.loadingGbS += used.loadingGbS;
            total.busyGbS += used.busyGbS;
            total.idleGbS += used.idleGbS;
            total.residentS += used.residentS;
            total.loads += used.loads;
            ObjectNode row = modelRows.addObject();
            row.put("name", model.name());
            row.put("shape", model.shape());
            row.put("rate_per_hour", model.ratePerHour());
            row.put("load_ms", model.loadMillis());
            row.put("size", model.sizeBytes());
            row.put("requests", counts[0]);
            row.put("cold", counts[1]);
            row.put("cold_after_first", counts[2]);
            row.put("loads", used.loads);
            row.put("held_gb_s", used.heldGbS());
            row.put("idle_gb_s", used.idleGbS);
            row.put("resident_s", used.residentS);
        }
        ObjectNode memory = out.putObject("memory_gb_s");
        memory.put("held", total.heldGbS());
        memory.put("loading", total.loadingGbS);
        memory.put("busy", total.busyGbS);
        memory.put("idle", total.idleGbS);
        out.put("loads", total.loads);
        out.put("stays", residency.path("stays").size());
        Files.writeString(Path.of(options.required("out")),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out) + "\n", StandardCharsets.UTF_8);
        System.out.printf(Locale.ROOT,
                "%s: %d requests in %.1f s (send lag p99 %.1f ms), %d errors, %d cold starts (%.0f s of loads), "
                        + "%d loads, memory %.0f GB x s held, %.0f%% idle%n",
                options.required("label"), trace.requests().size(), elapsed, percentile(lags, 99) / 1e6, errors, cold,
                coldSeconds, total.loads, total.heldGbS(),
                total.heldGbS() > 0 ? 100 * total.idleGbS / total.heldGbS() : 0.0);
    }

    private static Result result(Trace.Request request, long sentUs, long answeredUs, long lag,
            HttpResponse<String> response, Throwable failure) {
        if (failure != null) {
            return new Result(request, sentUs, answeredUs, lag, 0, failure.toString());
        }
        if (response.statusCode() != 200) {
            String body = response.body();
            return new Result(request, sentUs, answeredUs, lag, 0, "HTTP " + response.statusCode() + " "
                    + body.substring(0, Math.min(200, body.length())).replaceAll("\\p{Cntrl}", " "));
        }
        Matcher load = LOAD_DURATION.matcher(response.body());
        return new Result(request, sentUs, answeredUs, lag, load.find() ? Long.parseLong(load.group(1)) : 0, null);
    }

    /**
     * {@code --warmup-requests} (4000) generates for {@code --warmup-model} (a model of
     * the fake's that is not in the trace; none without it), for at most
     * {@code --warmup-seconds}, {@code --warmup-concurrency} (8) at a time, each sent
     * when the one before it was answered, before the clock starts: a keepwarm fresh from
     * start-up answers the trace's rate in seconds per request until its JIT has compiled
     * the request path (about 5,000 requests on 2 cores), which would turn warm requests
     * into queued ones. Errors here fail the replay: the target is not serving.
     */
    private static void warmUp(HttpClient http, URI url, Args options) throws Exception {
        String model = options.value("warmup-model", "");
        long seconds = options.longValue("warmup-seconds", 0);
        if (model.isEmpty() || seconds <= 0) {
            return;
        }
        int concurrency = (int) options.longValue("warmup-concurrency", 8);
        long wanted = options.longValue("warmup-requests", 4000);
        java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();
        HttpRequest post = HttpRequest.newBuilder(url)
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers
                .ofString("{\"model\":\"" + model + "\",\"prompt\":\"warm-up\",\"stream\":false}"))
            .build();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService workers = Executors.newFixedThreadPool(concurrency, daemon("replay-warmup"));
        List<java.util.concurrent.Future<Integer>> done = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            done.add(workers.submit(() -> {
                int sent = 0;
                while (System.nanoTime() < deadline && answered.get() < wanted) {
                    int status = http.send(post, HttpResponse.BodyHandlers.ofString()).statusCode();
                    if (status != 200) {
                        throw new IOException("warm-up generate for " + model + ": HTTP " + status);
                    }
                    sent++;
                    answered.incrementAndGet();
                }
                return sent;
            }));
        }
        int total = 0;
        for (java.util.concurrent.Future<Integer> worker : done) {
            total += worker.get(seconds + 60, TimeUnit.SECONDS);
        }
        workers.shutdown();
        System.out.printf(Locale.ROOT, "warm-up: %d generates in %.1f s%n", total,
                (System.nanoTime() - deadline) / 1e9 + seconds);
    }

    /**
     * Wall-clock microseconds since the epoch from {@code System.nanoTime()}: one reading
     * of each clock, so that instants are monotonic and comparable with the fake's (same
     * machine, system clock).
     */
    private static final class EpochMicros {

        private final long baseNanos = System.nanoTime();

        private final long baseUs;

        EpochMicros() {
            Instant now = Instant.now();
            this.baseUs = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
        }

        long at(long nanoTime) {
            return baseUs + (nanoTime - baseNanos) / 1000;
        }

        long micros() {
            return at(System.nanoTime());
        }

    }

    /** Parks until {@code System.nanoTime()} reaches {@code deadline}. */
    private static void waitUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /** Nearest-rank percentile of sorted values; 0 when empty. */
    static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = Math.max(1, (int) Math.ceil(p / 100 * sorted.size()));
        return sorted.get(rank - 1);
    }

    private static String get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + url + ": HTTP " + response.statusCode());
        }
        return response.body();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }

}
