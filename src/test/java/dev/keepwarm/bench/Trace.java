package dev.keepwarm.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request trace for the replay benchmark: the models (each with its shape, mean rate,
 * unscaled load time and size) and the requests, in trace time. As a file, UTF-8 text:
 *
 * <pre>
 * # keepwarm trace v1
 * # duration_ms 43200000
 * # seed 1 population_seed 7 day_hours 6
 * # model m00-poisson poisson 312.5 4200 8500000000
 * 1532 m00-poisson
 * 1790 m17-rare
 * ...
 * </pre>
 *
 * A {@code # model} line gives name, shape, mean requests per hour, load milliseconds and
 * size in bytes; every other non-comment line is one request: its offset from the start
 * of the trace in milliseconds and the model, in offset order.
 *
 * @param durationMillis how long the trace lasts (trace time); requests fall before it
 * @param header the comment line after the version, as generated (seeds), or empty
 * @param models the models, in order
 * @param requests the requests, by offset
 */
record Trace(long durationMillis, String header, List<Model> models, List<Request> requests) {

    /**
     * A model of the trace.
     *
     * @param name the model name sent to Ollama
     * @param shape how its requests arrive ({@link TraceShapes})
     * @param ratePerHour its mean request rate in trace time (the shape's parameter)
     * @param loadMillis its cold load time, unscaled (trace time)
     * @param sizeBytes its size in memory ({@code size_vram})
     */
    record Model(String name, String shape, double ratePerHour, long loadMillis, long sizeBytes) {
    }

    /** One request: {@code offsetMillis} after the trace's start, for {@code model}. */
    record Request(long offsetMillis, String model) {
    }

    Trace {
        models = List.copyOf(models);
        requests = requests.stream().sorted(Comparator.comparingLong(Request::offsetMillis)).toList();
    }

    /** The models by name. */
    Map<String, Model> byName() {
        Map<String, Model> named = new LinkedHashMap<>();
        models.forEach(m -> named.put(m.name(), m));
        return named;
    }

    /** Requests per model, every model listed (0 for a model with none). */
    Map<String, Integer> counts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        models.forEach(m -> counts.put(m.name(), 0));
        requests.forEach(r -> counts.merge(r.model(), 1, Integer::sum));
        return counts;
    }

    void write(Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("# keepwarm trace v1\n");
            out.write("# duration_ms " + durationMillis + "\n");
            if (!header.isEmpty()) {
                out.write("# " + header + "\n");
            }
            for (Model m : models) {
                out.write(String.format(Locale.ROOT, "# model %s %s %.4f %d %d%n", m.name(), m.shape(), m.ratePerHour(),
                        m.loadMillis(), m.sizeBytes()));
            }
            for (Request r : requests) {
                out.write(r.offsetMillis() + " " + r.model() + "\n");
            }
        }
    }

    static Trace read(Path file) throws IOException {
        long duration = -1;
        String header = "";
        List<Model> models = new ArrayList<>();
        List<Request> requests = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] parts = line.strip().split("\\s+");
            if (line.isBlank() || line.startsWith("# keepwarm trace")) {
                continue;
            }
            if (line.startsWith("#")) {
                if (parts.length == 3 && parts[1].equals("duration_ms")) {
                    duration = Long.parseLong(parts[2]);
                }
                else if (parts.length == 7 && parts[1].equals("model")) {
                    models.add(new Model(parts[2], parts[3], Double.parseDouble(parts[4]), Long.parseLong(parts[5]),
                            Long.parseLong(parts[6])));
                }
                else {
                    header = line.substring(1).strip();
                }
                continue;
            }
            if (parts.length != 2) {
                throw new IOException(file + ": not 'offsetMillis model': " + line);
            }
            requests.add(new Request(Long.parseLong(parts[0]), parts[1]));
        }
        if (duration < 0) {
            throw new IOException(file + ": no '# duration_ms' line");
        }
        return new Trace(duration, header, models, requests);
    }

}
