package dev.keepwarm.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * {@code keepwarm_cold_starts_total{model, pinned}}: client requests that paid a cold
 * load. Registered here only.
 */
public final class ColdStarts {

    private static final String NAME = "keepwarm.cold.starts";

    private ColdStarts() {
    }

    static Counter counter(MeterRegistry registry, String modelTag, boolean pinned, Tags host) {
        return Counter.builder(NAME)
            .description("client requests that paid a cold load")
            .tags("model", modelTag, "pinned", String.valueOf(pinned))
            .tags(host)
            .register(registry);
    }

    /** The cold starts counted so far under a model tag, pinned or not. */
    public static long count(MeterRegistry registry, String modelTag) {
        return (long) registry.find(NAME).tag("model", modelTag).counters().stream().mapToDouble(Counter::count).sum();
    }

}
