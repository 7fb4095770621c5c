package dev.keepwarm.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * Memory-time from the fake Ollama's residency log ({@code GET /residency} of
 * {@link FakeOllamaServer}), per model and in trace time: each stay in memory is clipped
 * to the replay's window {@code [start, end]} (a model still resident at the end counts
 * up to it) and split into three parts:
 * <ul>
 * <li>loading: from the start of its load to the end of it;</li>
 * <li>busy: with at least one request (a pre-warm ping included) in flight;</li>
 * <li>idle: the rest, held with nothing to do: the "wasted memory time" of Shahrad et al.
 * (the time after a request ended until the next request or the unload).</li>
 * </ul>
 * Each part counts size in GB (10^9 bytes) times seconds of trace time (wall time times
 * the compression). Names are reported without Ollama's {@code :latest}.
 */
final class ResidencyAccount {

    /** Memory-time of one model, GB x s of trace time. */
    static final class Usage {

        double loadingGbS;

        double busyGbS;

        double idleGbS;

        double residentS;

        int loads;

        double heldGbS() {
            return loadingGbS + busyGbS + idleGbS;
        }

    }

    private ResidencyAccount() {
    }

    /**
     * Per model, from the fake's {@code /residency} answer; {@code startUs} and
     * {@code endUs} bound the replay in wall-clock microseconds since the epoch.
     */
    static Map<String, Usage> account(JsonNode residency, long startUs, long endUs, double compression) {
        Map<String, Usage> usage = new LinkedHashMap<>();
        for (JsonNode stay : residency.path("stays")) {
            long from = Math.max(stay.path("load_started_us").longValue(), startUs);
            JsonNode unloaded = stay.path("unloaded_us");
            long to = Math.min(unloaded.isNull() || unloaded.isMissingNode() ? endUs : unloaded.longValue(), endUs);
            if (to <= from) {
                continue;
            }
            JsonNode loaded = stay.path("loaded_us");
            long loadedAt = loaded.isNull() || loaded.isMissingNode() ? to : loaded.longValue();
            long loadingEnd = Math.min(Math.max(loadedAt, from), to);
            long busy = Math.min(stay.path("busy_us").longValue(), to - loadingEnd);
            long idle = to - loadingEnd - busy;
            double gb = stay.path("size").longValue() / 1e9;
            double scale = compression / 1e6;
            Usage model = usage.computeIfAbsent(name(stay.path("model").stringValue()), k -> new Usage());
            model.loadingGbS += gb * (loadingEnd - from) * scale;
            model.busyGbS += gb * busy * scale;
            model.idleGbS += gb * idle * scale;
            model.residentS += (to - from) * scale;
            if (!loaded.isNull() && !loaded.isMissingNode() && stay.path("load_started_us").longValue() >= startUs) {
                model.loads++;
            }
        }
        return usage;
    }

    /** The loads of each model: [start, end] in microseconds since the epoch. */
    static final class Loads {

        private final Map<String, List<long[]>> byModel = new HashMap<>();

        /**
         * Whether a load of {@code model} ran at some point between {@code fromUs} and
         * {@code toUs}: a request sent and answered then waited for it (no slot limit, so
         * a resident model is never reloaded under a request in flight).
         */
        boolean during(String model, long fromUs, long toUs) {
            for (long[] load : byModel.getOrDefault(model, List.of())) {
                if (load[0] <= toUs && load[1] >= fromUs) {
                    return true;
                }
            }
            return false;
        }

    }

    /**
     * The loads in the fake's {@code /residency} answer (an aborted one ends at its
     * unload).
     */
    static Loads loads(JsonNode residency) {
        Loads loads = new Loads();
        for (JsonNode stay : residency.path("stays")) {
            JsonNode loaded = stay.path("loaded_us");
            JsonNode unloaded = stay.path("unloaded_us");
            long end = !loaded.isNull() && !loaded.isMissingNode() ? loaded.longValue()
                    : !unloaded.isNull() && !unloaded.isMissingNode() ? unloaded.longValue() : Long.MAX_VALUE;
            loads.byModel.computeIfAbsent(name(stay.path("model").stringValue()), k -> new ArrayList<>())
                .add(new long[] { stay.path("load_started_us").longValue(), end });
        }
        return loads;
    }

    /** A model's name as the trace writes it: Ollama's default tag dropped. */
    static String name(String display) {
        return display.endsWith(":latest") ? display.substring(0, display.length() - ":latest".length()) : display;
    }

}
