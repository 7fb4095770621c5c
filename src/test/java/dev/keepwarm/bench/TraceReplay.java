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
 *                    --compression 720 [--min-load-ms 4] --label NAME [--policy TEXT] --out result.json
 * </pre>
 *
 * <p>
 * {@code fake-args} prints the {@code --model NAME=LOAD_MS,SIZE_BYTES} options of
 * {@link FakeOllamaServer}, one a line: load times divided by the compression, at least
 * {@code --min-load-ms} (so that a cold start stays measurable on a loaded machine).
 *
 * <p>
 * {@code replay} sends each request at its offset divided by the compression, on its own
 * (asynchronous: a slow answer never delays the next send; how late each send was is
 * reported), as {@code POST /api/generate} with a prompt and {@code "stream":false} and
 * no {@code keep_alive} (keepwarm's policy decides it). A request is a cold start when
 * its {@code load_duration}, as Ollama reports it, is at least half its model's scaled
 * load time; its cold-start seconds are the model's unscaled load time. After the trace's
 * end (its duration, compressed) and the last answer it reads the fake's residency log
 * ({@code
 * GET /residency}) and accounts memory-time with {@link ResidencyAccount}, in trace time.
 * The result JSON has totals and one entry per model. Errors are results: the program
 * exits 0 whenever it could run.
 */
public final class TraceReplay {

    private static final Pattern LOAD_DURATION = Pattern.compile("\"load_duration\"\\s*:\\s*(\\d+)");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final int SAMPLES_KEPT = 10;

    private TraceReplay() {
    }

    /** What one request measured; {@code error} null when it was answered 200. */
    private record Result(Trace.Request request, long lagNanos, long loadNanos, String error) {
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
        // the first send a second from now: the client's connections and JIT are not on
        // the clock
        long startNanos = System.nanoTime() + 1_000_000_000L;
        long startUs = epochMicros(Instant.now()) + (startNanos - System.nanoTime()) / 1000;
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
            pending.add(http.sendAsync(post, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
                results.add(result(request, lag, response, failure));
                return null;
            }));
        }
        waitUntil(endNanos);
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(180, TimeUnit.SECONDS);
        long endUs = startUs + (endNanos - startNanos) / 1000;
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        JsonNode residency = JSON.readTree(get(http, control + "/residency"));
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
        double coldSeconds = 0;
        double waitedSeconds = 0;
        Map<String, int[]> perModel = new java.util.LinkedHashMap<>();
        trace.models().forEach(m -> perModel.put(m.name(), new int[2]));
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
            if (result.loadNanos() >= threshold) {
                counts[1]++;
                cold++;
                coldSeconds += model.loadMillis() / 1000.0;
                waitedSeconds += result.loadNanos() / 1e9 * compression;
            }
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
        out.put("cold_starts", cold);
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

    private static Result result(Trace.Request request, long lag, HttpResponse<String> response, Throwable failure) {
        if (failure != null) {
            return new Result(request, lag, 0, failure.toString());
        }
        if (response.statusCode() != 200) {
            String body = response.body();
            return new Result(request, lag, 0, "HTTP " + response.statusCode() + " "
                    + body.substring(0, Math.min(200, body.length())).replaceAll("\\p{Cntrl}", " "));
        }
        Matcher load = LOAD_DURATION.matcher(response.body());
        return new Result(request, lag, load.find() ? Long.parseLong(load.group(1)) : 0, null);
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

    private static long epochMicros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
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
