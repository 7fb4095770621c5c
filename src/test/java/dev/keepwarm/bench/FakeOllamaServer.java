package dev.keepwarm.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

/**
 * The benchmark's Ollama: the tests' {@link FakeOllama} as a process of its own on
 * 127.0.0.1, with requests not journaled (a load test would fill the journal). Both ports
 * are chosen by the system and written to a file once the servers listen.
 *
 * <pre>
 * FakeOllamaServer --ports-file F [--model NAME=LOAD_MS]... [--default-keep-alive-ms MS]
 *                  [--tokens N] [--token-interval-ms MS] [--max-loaded-models N] [--hosts N]
 * </pre>
 *
 * <p>
 * The ports file gets {@code ollama=PORT} and {@code control=PORT}. The control server,
 * also on 127.0.0.1, answers {@code GET /loads} ({@code {"model":loads,...}}, loads
 * completed per model, reloads included), {@code POST /tokens?count=N&intervalMs=MS} (the
 * token count and spacing of every later generation) and {@code POST /reset} (forget
 * resident models and load counts). The load counts are printed again at exit (SIGTERM).
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
        Map<String, Long> models = new LinkedHashMap<>();
        for (String model : options.all("model")) {
            int eq = model.lastIndexOf('=');
            String name = eq < 0 ? model : model.substring(0, eq);
            long loadMillis = eq < 0 ? ModelSpec.DEFAULT_LOAD_TIME.toMillis() : Long.parseLong(model.substring(eq + 1));
            models.put(name, loadMillis);
        }
        List<FakeOllama> hosts = new ArrayList<>();
        for (int i = 0; i < hostCount; i++) {
            FakeOllama ollama = FakeOllama.start()
                .recordRequests(false)
                .defaultKeepAlive(Duration.ofMillis(options.longValue("default-keep-alive-ms", 300_000)))
                .tokens((int) options.longValue("tokens", 5),
                        Duration.ofMillis(options.longValue("token-interval-ms", 0)))
                .maxLoadedModels((int) options.longValue("max-loaded-models", 8));
            models.forEach((name, loadMillis) -> ollama
                .withModel(ModelSpec.of(name).withLoadTime(Duration.ofMillis(loadMillis))));
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
                + control.getAddress().getPort() + ", models " + models);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("load counts at exit: " + loads(hosts, models));
            control.stop(0);
            hosts.forEach(FakeOllama::close);
            stopped.countDown();
        }, "fake-ollama-shutdown"));
        stopped.await();
    }

    private static HttpServer control(List<FakeOllama> hosts, Map<String, Long> models) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "fake-ollama-control");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/loads", exchange -> answer(exchange, 200, loads(hosts, models)));
        server.createContext("/hosts", exchange -> answer(exchange, 200, hostsJson(hosts, models)));
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
    private static String loads(List<FakeOllama> hosts, Map<String, Long> models) {
        StringJoiner json = new StringJoiner(",", "{", "}");
        models.keySet()
            .forEach(name -> json.add("\"" + name + "\":" + hosts.stream().mapToInt(h -> h.loadCount(name)).sum()));
        return json.toString();
    }

    private static String hostsJson(List<FakeOllama> hosts, Map<String, Long> models) {
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
