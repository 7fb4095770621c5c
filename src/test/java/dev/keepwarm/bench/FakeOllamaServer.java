package dev.keepwarm.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.ModelSpec;

/**
 * The benchmark's Ollama: the tests' {@link FakeOllama} as a process of its own on
 * 127.0.0.1, with requests not journaled (a load test would fill the journal). Both ports
 * are chosen by the system and written to a file once the servers listen.
 *
 * <pre>
 * FakeOllamaServer --ports-file F [--model NAME=LOAD_MS]... [--default-keep-alive-ms MS]
 *                  [--tokens N] [--token-interval-ms MS] [--max-loaded-models N]
 * </pre>
 *
 * <p>
 * The ports file gets {@code ollama=PORT} and {@code control=PORT}. The control server,
 * also on 127.0.0.1, answers {@code GET /loads} ({@code {"model":loads,...}}, loads
 * completed per model, reloads included), {@code POST /tokens?count=N&intervalMs=MS} (the
 * token count and spacing of every later generation) and {@code POST /reset} (forget
 * resident models and load counts). The load counts are printed again at exit (SIGTERM).
 */
public final class FakeOllamaServer {

    private FakeOllamaServer() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Args options = Args.parse(args);
        FakeOllama ollama = FakeOllama.start()
            .recordRequests(false)
            .defaultKeepAlive(Duration.ofMillis(options.longValue("default-keep-alive-ms", 300_000)))
            .tokens((int) options.longValue("tokens", 5), Duration.ofMillis(options.longValue("token-interval-ms", 0)))
            .maxLoadedModels((int) options.longValue("max-loaded-models", 8));
        Map<String, Long> models = new LinkedHashMap<>();
        for (String model : options.all("model")) {
            int eq = model.lastIndexOf('=');
            String name = eq < 0 ? model : model.substring(0, eq);
            long loadMillis = eq < 0 ? ModelSpec.DEFAULT_LOAD_TIME.toMillis() : Long.parseLong(model.substring(eq + 1));
            ollama.withModel(ModelSpec.of(name).withLoadTime(Duration.ofMillis(loadMillis)));
            models.put(name, loadMillis);
        }
        HttpServer control = control(ollama, models);
        Path portsFile = Path.of(options.required("ports-file"));
        Path partial = portsFile.resolveSibling(portsFile.getFileName() + ".tmp");
        Files.writeString(partial, "ollama=" + ollama.port() + "\ncontrol=" + control.getAddress().getPort() + "\n");
        Files.move(partial, portsFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        System.out.println("fake ollama on " + ollama.url() + ", control on 127.0.0.1:" + control.getAddress().getPort()
                + ", models " + models);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("load counts at exit: " + loads(ollama, models));
            control.stop(0);
            ollama.close();
            stopped.countDown();
        }, "fake-ollama-shutdown"));
        stopped.await();
    }

    private static HttpServer control(FakeOllama ollama, Map<String, Long> models) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "fake-ollama-control");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/loads", exchange -> answer(exchange, 200, loads(ollama, models)));
        server.createContext("/tokens", exchange -> {
            Map<String, String> query = query(exchange);
            int count = Integer.parseInt(query.getOrDefault("count", "5"));
            long interval = Long.parseLong(query.getOrDefault("intervalMs", "0"));
            ollama.tokens(count, Duration.ofMillis(interval));
            answer(exchange, 200, "{\"count\":" + count + ",\"intervalMs\":" + interval + "}");
        });
        server.createContext("/reset", exchange -> {
            ollama.reset();
            answer(exchange, 200, "{}");
        });
        server.start();
        return server;
    }

    private static String loads(FakeOllama ollama, Map<String, Long> models) {
        StringJoiner json = new StringJoiner(",", "{", "}");
        models.keySet().forEach(name -> json.add("\"" + name + "\":" + ollama.loadCount(name)));
        return json.toString();
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
