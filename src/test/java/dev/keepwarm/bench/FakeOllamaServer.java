package dev.keepwarm.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.LoadedModel;
import dev.keepwarm.fake.ModelSpec;
import dev.keepwarm.fake.ResidencyInterval;
import org.jspecify.annotations.Nullable;

/**
 * The benchmark's Ollama: the tests' {@link FakeOllama} as a process of its own on
 * 127.0.0.1, with requests not journaled (a load test would fill the journal). Both ports
 * are chosen by the system and written to a file once the servers listen.
 *
 * <pre>
 * FakeOllamaServer --ports-file F [--model NAME=LOAD_MS[,SIZE_BYTES]]... [--default-keep-alive-ms MS]
 *                  [--tokens N] [--token-interval-ms MS] [--max-loaded-models N] [--hosts N]
 * </pre>
 *
 * <p>
 * The ports file gets {@code ollama=PORT} and {@code control=PORT}. The control server,
 * also on 127.0.0.1, answers {@code GET /loads} ({@code {"model":loads,...}}, loads
 * completed per model, reloads included), {@code POST /tokens?count=N&intervalMs=MS} (the
 * token count and spacing of every later generation) and {@code POST /reset} (forget
 * resident models and load counts) and {@code GET /residency}: every runner's stay in
 * memory since the start or the last reset, for memory-time accounting,
 * {@code {"now_us":T,"stays":[{"host":0,"model":"m:latest","size":BYTES,
 * "load_started_us":T,"loaded_us":T,"unloaded_us":T,"busy_us":US,"requests":N},...]}},
 * instants in microseconds since the epoch, {@code loaded_us} null for an aborted load,
 * {@code unloaded_us} null while resident, {@code busy_us} the time with a request in
 * flight. The load counts are printed again at exit (SIGTERM). A model's size
 * ({@code size_vram} in /api/ps) defaults to {@link ModelSpec#DEFAULT_SIZE_BYTES}.
 *
 * <p>
 * With {@code --hosts N} (default 1) the process runs N independent fakes with the same
 * models and settings, each its own Ollama (own scheduler, own OLLAMA_MAX_LOADED_MODELS):
 * a fleet. The ports file then also gets {@code ollama.0=PORT} to {@code ollama.N-1=PORT}
 * ({@code ollama} is the first), {@code GET /loads} sums every host's counts, {@code GET
 * /hosts} answers {@code [{"port":P,"loads":{...},"resident":["model",...]},...]}, and
 * {@code /tokens} and {@code /reset} apply to every host.
 */
public final class FakeOllamaServer {

    private FakeOllamaServer() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Args options = Args.parse(args);
        int hostCount = (int) options.longValue("hosts", 1);
        if (hostCount < 1) {
            throw new IllegalArgumentException("--hosts must be at least 1: " + hostCount);
        }
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        for (String model : options.all("model")) {
            ModelSpec spec = modelSpec(model);
            models.put(spec.name(), spec);
        }
        List<FakeOllama> hosts = new ArrayList<>();
        for (int i = 0; i < hostCount; i++) {
            FakeOllama ollama = FakeOllama.start()
                .recordRequests(false)
                .defaultKeepAlive(Duration.ofMillis(options.longValue("default-keep-alive-ms", 300_000)))
                .tokens((int) options.longValue("tokens", 5),
                        Duration.ofMillis(options.longValue("token-interval-ms", 0)))
                .maxLoadedModels((int) options.longValue("max-loaded-models", 8));
            models.values().forEach(ollama::withModel);
            hosts.add(ollama);
        }
        HttpServer control = control(hosts, models);
        Path portsFile = Path.of(options.required("ports-file"));
        Path partial = portsFile.resolveSibling(portsFile.getFileName() + ".tmp");
        StringBuilder ports = new StringBuilder("ollama=" + hosts.get(0).port() + "\n");
        if (hostCount > 1) {
            for (int i = 0; i < hostCount; i++) {
                ports.append("ollama.").append(i).append('=').append(hosts.get(i).port()).append('\n');
            }
        }
        ports.append("control=").append(control.getAddress().getPort()).append('\n');
        Files.writeString(partial, ports.toString());
        Files.move(partial, portsFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        System.out.println("fake ollama on " + hosts.stream().map(FakeOllama::url).toList() + ", control on 127.0.0.1:"
                + control.getAddress().getPort() + ", models " + models.keySet());

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("load counts at exit: " + loads(hosts, models));
            control.stop(0);
            hosts.forEach(FakeOllama::close);
            stopped.countDown();
        }, "fake-ollama-shutdown"));
        stopped.await();
    }

    /**
     * {@code NAME=LOAD_MS[,SIZE_BYTES]}, or a bare name with the default load time and
     * size.
     */
    static ModelSpec modelSpec(String option) {
        int eq = option.lastIndexOf('=');
        ModelSpec spec = ModelSpec.of(eq < 0 ? option : option.substring(0, eq));
        if (eq < 0) {
            return spec;
        }
        String[] values = option.substring(eq + 1).split(",", 2);
        spec = spec.withLoadTime(Duration.ofMillis(Long.parseLong(values[0])));
        return values.length == 2 ? spec.withSizeBytes(Long.parseLong(values[1])) : spec;
    }

    private static HttpServer control(List<FakeOllama> hosts, Map<String, ModelSpec> models) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "fake-ollama-control");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/loads", exchange -> answer(exchange, 200, loads(hosts, models)));
        server.createContext("/hosts", exchange -> answer(exchange, 200, hostsJson(hosts, models)));
        server.createContext("/residency", exchange -> answer(exchange, 200, residencyJson(hosts)));
        server.createContext("/tokens", exchange -> {
            Map<String, String> query = query(exchange);
            int count = Integer.parseInt(query.getOrDefault("count", "5"));
            long interval = Long.parseLong(query.getOrDefault("intervalMs", "0"));
            hosts.forEach(ollama -> ollama.tokens(count, Duration.ofMillis(interval)));
            answer(exchange, 200, "{\"count\":" + count + ",\"intervalMs\":" + interval + "}");
        });
        server.createContext("/reset", exchange -> {
            hosts.forEach(FakeOllama::reset);
            answer(exchange, 200, "{}");
        });
        server.start();
        return server;
    }

    /** Loads per model, summed over the hosts. */
    private static String loads(List<FakeOllama> hosts, Map<String, ModelSpec> models) {
        StringJoiner json = new StringJoiner(",", "{", "}");
        models.keySet()
            .forEach(name -> json.add("\"" + name + "\":" + hosts.stream().mapToInt(h -> h.loadCount(name)).sum()));
        return json.toString();
    }

    /** Every host's residency log, at one instant. */
    static String residencyJson(List<FakeOllama> hosts) {
        StringJoiner stays = new StringJoiner(",", "[", "]");
        for (int i = 0; i < hosts.size(); i++) {
            for (ResidencyInterval stay : hosts.get(i).residencyLog()) {
                stays.add("{\"host\":" + i + ",\"model\":\"" + stay.name() + "\",\"size\":" + stay.sizeBytes()
                        + ",\"load_started_us\":" + micros(stay.loadStarted()) + ",\"loaded_us\":"
                        + micros(stay.loaded()) + ",\"unloaded_us\":" + micros(stay.unloaded()) + ",\"busy_us\":"
                        + stay.busy().toNanos() / 1000 + ",\"requests\":" + stay.requests() + "}");
            }
        }
        return "{\"now_us\":" + micros(Instant.now()) + ",\"stays\":" + stays + "}";
    }

    private static String micros(@Nullable Instant instant) {
        if (instant == null) {
            return "null";
        }
        return Long.toString(
                Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000));
    }

    private static String hostsJson(List<FakeOllama> hosts, Map<String, ModelSpec> models) {
        StringJoiner all = new StringJoiner(",", "[", "]");
        for (FakeOllama host : hosts) {
            StringJoiner loads = new StringJoiner(",", "{", "}");
            models.keySet().forEach(name -> loads.add("\"" + name + "\":" + host.loadCount(name)));
            StringJoiner resident = new StringJoiner(",", "[", "]");
            host.loaded().stream().map(LoadedModel::name).forEach(name -> resident.add("\"" + name + "\""));
            all.add("{\"port\":" + host.port() + ",\"loads\":" + loads + ",\"resident\":" + resident + "}");
        }
        return all.toString();
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> values = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                values.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        return values;
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

}
