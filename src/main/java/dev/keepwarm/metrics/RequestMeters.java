package dev.keepwarm.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The meters of one (model tag, endpoint) pair, looked up once and kept: registering through a builder on every
 * request (sorting tags, hashing ids) was a tenth of the proxy's CPU. Each meter is still registered only when first
 * used, so the scrape shows what happened, not every combination that could.
 */
final class RequestMeters {

    private final MeterRegistry registry;
    private final String model;
    private final String endpoint;
    private final Function<String, Timer> loadTimer;
    private final Map<String, Timer> requests = new ConcurrentHashMap<>();
    private final Map<Boolean, Counter> coldStarts = new ConcurrentHashMap<>();
    private volatile Timer firstChunk;
    private volatile Timer load;
    private volatile Counter tokens;
    private volatile DistributionSummary tokensPerSecond;

    RequestMeters(MeterRegistry registry, String model, String endpoint, Function<String, Timer> loadTimer) {
        this.registry = registry;
        this.model = model;
        this.endpoint = endpoint;
        this.loadTimer = loadTimer;
    }

    String model() {
        return model;
    }

    void firstChunk(long nanos) {
        Timer timer = firstChunk;
        if (timer == null) {
            timer = Timer.builder("keepwarm.time.to.first.chunk").description("request start to the first response byte")
                    .tags("model", model, "endpoint", endpoint).register(registry);
            firstChunk = timer;
        }
        timer.record(Duration.ofNanos(nanos));
    }

    void request(String status, long nanos) {
        requests.computeIfAbsent(status, s -> Timer.builder("keepwarm.request")
                .description("whole proxied request, to the last byte")
                .tags("model", model, "endpoint", endpoint, "status", s).register(registry))
                .record(Duration.ofNanos(nanos));
    }

    void load(long nanos) {
        Timer timer = load;
        if (timer == null) {
            timer = loadTimer.apply(model);
            load = timer;
        }
        timer.record(Duration.ofNanos(nanos));
    }

    void coldStart(boolean pinned) {
        coldStarts.computeIfAbsent(pinned, p -> Counter.builder("keepwarm.cold.starts")
                .description("client requests that paid a cold load")
                .tags("model", model, "pinned", String.valueOf(p)).register(registry)).increment();
    }

    void generated(long evalCount, long evalDurationNs) {
        Counter counter = tokens;
        if (counter == null) {
            counter = Counter.builder("keepwarm.generated.tokens").description("tokens generated (eval_count)")
                    .tags("model", model).register(registry);
            tokens = counter;
        }
        counter.increment(evalCount);
        if (evalDurationNs > 0) {
            DistributionSummary summary = tokensPerSecond;
            if (summary == null) {
                summary = DistributionSummary.builder("keepwarm.tokens.per.second")
                        .description("eval_count / eval_duration").tags("model", model).register(registry);
                tokensPerSecond = summary;
            }
            summary.record(evalCount / (evalDurationNs / 1e9));
        }
    }
}
