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
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fleet scenario's client: {@code --requests} streamed {@code POST /api/generate}
 * over the given models with Zipf popularity (the first model is the most popular), at a
 * fixed concurrency, against one target (a balancer in front of several fake Ollamas, or
 * keepwarm in fleet mode). The request sequence comes from a seeded random generator, so
 * every target gets the same one.
 *
 * <pre>
 * FleetWorkload --url http://127.0.0.1:PORT/api/generate --models a,b,c,... --requests 1000
 *               [--concurrency 8] [--zipf-s 1.1] [--seed 13] [--cold-threshold-ms MS]
 *               [--control http://127.0.0.1:CONTROL --host-names h0,h1,h2]
 *               [--pinned a,b,c --slots 9] --label NAME --out result.json
 * </pre>
 *
 * <p>
 * Per request: time to first chunk (from before the connect to the socket read that
 * delivered the first NDJSON line) and whether it paid a cold load (its final line's
 * {@code load_duration} at least the threshold, as keepwarm's cold-start metric counts
 * it: a request queued behind another model's load on the same host counts too). With
 * {@code --control} (the fake's control port) the loads each host completed during the
 * run are read from the fake's counters ({@code GET /hosts}, before and after). With
 * {@code --slots} (every host's OLLAMA_MAX_LOADED_MODELS, summed), the floor: Belady's
 * optimal offline eviction over the exact request sequence, the fleet's slots taken as
 * one pool, ignoring keep-alive expiry and concurrency (both only add loads): once for
 * every model, and once for the models not in {@code --pinned} with the pinned models'
 * slots taken away. Errors are results: the program exits 0 whenever it could run.
 */
public final class FleetWorkload {

    private static final Pattern LOAD_DURATION = Pattern.compile("\"load_duration\"\\s*:\\s*(\\d+)");

    private static final int SAMPLES_KEPT = 10;

    private FleetWorkload() {
    }

    /** What one request measured. */
    private record Result(int model, long ttfcNanos, long loadNanos, String upstream, String error) {
    }

    public static void main(String[] args) throws Exception {
        Args options = Args.parse(args);
        URI url = URI.create(options.required("url"));
        List<String> models = List.of(options.required("models").split(","));
        int requests = (int) options.longValue("requests", 200);
        int concurrency = (int) options.longValue("concurrency", 8);
        double s = Double.parseDouble(options.value("zipf-s", "1.1"));
        long seed = options.longValue("seed", 13);
        long thresholdNanos = Duration.ofMillis(options.longValue("cold-threshold-ms", 500)).toNanos();
        String control = options.value("control", "");
        List<String> hostNames = List.of(options.value("host-names", "").split(","));
        Set<String> pinned = new HashSet<>(List.of(options.value("pinned", "").split(",")));
        pinned.remove("");
        int slots = (int) options.longValue("slots", 0);

        int[] sequence = sequence(models.size(), requests, s, seed);
        String before = control.isEmpty() ? null : get(control + "/hosts");
        Result[] results = new Result[requests];
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            Thread thread = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                    Result result = request(url, models.get(sequence[i]), sequence[i]);
                    results[i] = result;
                    if (result.error() != null && errorSamples.size() < SAMPLES_KEPT) {
                        errorSamples
                            .add((models.get(sequence[i]) + ": " + result.error()).replaceAll("\\p{Cntrl}", " "));
                    }
                }
            }, "fleet-client-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        String after = control.isEmpty() ? null : get(control + "/hosts");

        List<Long> ttfc = new ArrayList<>();
        List<Long> ttfcWarm = new ArrayList<>();
        int errors = 0;
        int paid = 0;
        Map<String, Integer> servedBy = new TreeMap<>();
        Map<String, Map<String, Integer>> modelHosts = new TreeMap<>();
        int[] perModel = new int[models.size()];
        for (Result result : results) {
            perModel[result.model()]++;
            if (result.error() != null) {
                errors++;
                continue;
            }
            ttfc.add(result.ttfcNanos());
            boolean cold = result.loadNanos() >= thresholdNanos;
            if (cold) {
                paid++;
            }
            else {
                ttfcWarm.add(result.ttfcNanos());
            }
            if (result.upstream() != null) {
                servedBy.merge(result.upstream(), 1, Integer::sum);
                modelHosts.computeIfAbsent(models.get(result.model()), k -> new TreeMap<>())
                    .merge(result.upstream(), 1, Integer::sum);
            }
        }
        Map<String, Integer> loadsPerHost = new LinkedHashMap<>();
        Map<String, Integer> loadsPerModel = new LinkedHashMap<>();
        if (before != null && after != null) {
            List<Map<String, Integer>> b = hostLoads(before, models);
            List<Map<String, Integer>> a = hostLoads(after, models);
            for (int h = 0; h < a.size(); h++) {
                String name = h < hostNames.size() && !hostNames.get(h).isEmpty() ? hostNames.get(h) : "host" + h;
                int hostTotal = 0;
                for (String model : models) {
                    int delta = a.get(h).getOrDefault(model, 0) - b.get(h).getOrDefault(model, 0);
                    hostTotal += delta;
                    loadsPerModel.merge(model, delta, Integer::sum);
                }
                loadsPerHost.put(name, hostTotal);
            }
        }
        int loads = loadsPerHost.values().stream().mapToInt(Integer::intValue).sum();

        StringJoiner json = new StringJoiner(",", "{", "}\n");
        json.add(field("label", quote(options.required("label"))));
        json.add(field("url", quote(url.toString())));
        json.add(field("requests", requests));
        json.add(field("concurrency", concurrency));
        json.add(field("zipf_s", s));
        json.add(field("seed", seed));
        json.add(field("cold_threshold_ms", thresholdNanos / 1_000_000));
        json.add(field("elapsed_s", round(elapsed)));
        json.add(field("ok", requests - errors));
        json.add(field("errors", errors));
        json.add(field("error_samples", StreamProbe.strings(List.copyOf(errorSamples))));
        json.add(field("loads", loads));
        json.add(field("loads_per_1000", round(loads * 1000.0 / requests)));
        json.add(field("paid_load", paid));
        json.add(field("paid_load_per_1000", round(paid * 1000.0 / requests)));
        json.add(field("ttfc_ms", percentiles(ttfc)));
        json.add(field("ttfc_warm_ms", percentiles(ttfcWarm)));
        json.add(field("loads_per_host", object(loadsPerHost)));
        json.add(field("loads_per_model", object(loadsPerModel)));
        json.add(field("requests_per_model", object(perModel(models, perModel))));
        json.add(field("served_by", object(servedBy)));
        StringJoiner hosts = new StringJoiner(",", "{", "}");
        modelHosts.forEach((model, counts) -> hosts.add(quote(model) + ":" + object(counts)));
        json.add(field("model_hosts", hosts.toString()));
        if (after != null) {
            json.add(field("hosts_after", after));
        }
        if (slots > 0) {
            int[] unpinned = Arrays.stream(sequence).filter(m -> !pinned.contains(models.get(m))).toArray();
            int pinnedSlots = (int) models.stream().filter(pinned::contains).count();
            StringJoiner floor = new StringJoiner(",", "{", "}");
            floor.add(field("slots", slots));
            floor.add(field("belady_all", belady(sequence, slots)));
            floor.add(field("pinned", pinnedSlots));
            floor.add(field("belady_unpinned", belady(unpinned, Math.max(1, slots - pinnedSlots))));
            floor.add(field("distinct_models", Arrays.stream(sequence).distinct().count()));
            json.add(field("floor", floor.toString()));
        }
        Files.writeString(Path.of(options.required("out")), json.toString());
        System.out.printf(Locale.ROOT,
                "%s: %d requests in %.1f s, %d errors, %d loads (%.1f per 1000), %d paid a load,"
                        + " TTFC %s, loads per host %s%n",
                options.required("label"), requests, elapsed, errors, loads, loads * 1000.0 / requests, paid,
                percentiles(ttfc), loadsPerHost);
    }

    /**
     * Model indices drawn from Zipf(s) over {@code n} ranks (rank 1, index 0, the most
     * popular).
     */
    static int[] sequence(int n, int requests, double s, long seed) {
        double[] cumulative = new double[n];
        double total = 0;
        for (int k = 0; k < n; k++) {
            total += 1 / Math.pow(k + 1, s);
            cumulative[k] = total;
        }
        Random random = new Random(seed);
        int[] sequence = new int[requests];
        for (int i = 0; i < requests; i++) {
            double u = random.nextDouble() * total;
            int k = 0;
            while (k < n - 1 && cumulative[k] < u) {
                k++;
            }
            sequence[i] = k;
        }
        return sequence;
    }

    /**
     * Loads of Belady's MIN (evict what is needed again farthest in the future) over the
     * sequence with the given capacity: the fewest any placement can do.
     */
    static int belady(int[] sequence, int capacity) {
        int[] nextUse = new int[sequence.length];
        Map<Integer, Integer> seen = new HashMap<>();
        for (int i = sequence.length - 1; i >= 0; i--) {
            nextUse[i] = seen.getOrDefault(sequence[i], Integer.MAX_VALUE);
            seen.put(sequence[i], i);
        }
        Map<Integer, Integer> resident = new HashMap<>(); // model -> its next use
        int loads = 0;
        for (int i = 0; i < sequence.length; i++) {
            if (!resident.containsKey(sequence[i])) {
                loads++;
                if (resident.size() >= capacity) {
                    int victim = resident.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
                    resident.remove(victim);
                }
            }
            resident.put(sequence[i], nextUse[i]);
        }
        return loads;
    }

    private static Result request(URI url, String model, int index) {
        byte[] body = ("{\"model\":\"" + model + "\",\"prompt\":\"Why is the sky blue?\",\"stream\":true}")
            .getBytes(StandardCharsets.UTF_8);
        long startEpoch = NdjsonStream.epochNanos(Instant.now());
        try (NdjsonStream stream = NdjsonStream.post(url, body, Duration.ofSeconds(120))) {
            String upstream = stream.header("X-Keepwarm-Upstream");
            if (stream.status() != 200) {
                return new Result(index, 0, 0, upstream, "status " + stream.status());
            }
            long ttfc = -1;
            String last = "";
            for (NdjsonStream.Line line = stream.next(); line != null; line = stream.next()) {
                if (ttfc < 0) {
                    ttfc = line.arrivalEpochNanos() - startEpoch;
                }
                last = line.text();
            }
            if (last.contains("\"error\"") || !last.contains("\"done\":true")) {
                return new Result(index, 0, 0, upstream, "bad last line: " + last);
            }
            Matcher load = LOAD_DURATION.matcher(last);
            return new Result(index, ttfc, load.find() ? Long.parseLong(load.group(1)) : 0, upstream, null);
        }
        catch (IOException | RuntimeException e) {
            return new Result(index, 0, 0, null, e.toString());
        }
    }

    private static String get(String url) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + url + ": " + response.statusCode());
        }
        return response.body();
    }

    /**
     * The {@code loads} object of every host in the control port's {@code /hosts} answer.
     */
    private static List<Map<String, Integer>> hostLoads(String hostsJson, List<String> models) {
        List<Map<String, Integer>> hosts = new ArrayList<>();
        String[] parts = hostsJson.split("\"loads\":\\{");
        for (int i = 1; i < parts.length; i++) { // parts[0] is the text before the first
                                                 // host's loads
            Map<String, Integer> loads = new HashMap<>();
            String body = parts[i].substring(0, parts[i].indexOf('}'));
            for (String model : models) {
                Matcher count = Pattern.compile(Pattern.quote("\"" + model + "\":") + "(\\d+)").matcher(body);
                if (count.find()) {
                    loads.put(model, Integer.parseInt(count.group(1)));
                }
            }
            hosts.add(loads);
        }
        return hosts;
    }

    private static Map<String, Integer> perModel(List<String> models, int[] counts) {
        Map<String, Integer> map = new LinkedHashMap<>();
        for (int i = 0; i < models.size(); i++) {
            map.put(models.get(i), counts[i]);
        }
        return map;
    }

    private static String percentiles(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return "null";
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        StringJoiner json = new StringJoiner(",", "{", "}");
        json.add(field("count", sorted.length));
        for (int p : new int[] { 50, 90, 99 }) {
            int rank = Math.max(1, (int) Math.ceil(p / 100.0 * sorted.length));
            json.add(field("p" + p, round(sorted[rank - 1] / 1e6)));
        }
        json.add(field("max", round(sorted[sorted.length - 1] / 1e6)));
        json.add(field("mean", round(Arrays.stream(sorted).average().orElse(0) / 1e6)));
        return json.toString();
    }

    private static String object(Map<String, Integer> counts) {
        StringJoiner json = new StringJoiner(",", "{", "}");
        counts.forEach((key, value) -> json.add(quote(key) + ":" + value));
        return json.toString();
    }

    private static String field(String name, Object value) {
        return quote(name) + ":" + value;
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String round(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

}
