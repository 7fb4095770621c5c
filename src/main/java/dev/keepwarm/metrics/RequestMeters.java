package dev.keepwarm.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The meters of one (model tag, endpoint) pair, looked up once and kept: registering
 * through a builder on every request (sorting tags, hashing ids) was a tenth of the
 * proxy's CPU. Each meter is still registered only when first used, so the scrape shows
 * what happened, not every combination that could.
 */
final class RequestMeters {

    /**
     * Latency buckets of the request and first-chunk timers, 10 ms to 10 min: a warm
     * token to a cold 70B load and a long generation. Fixed, so each timer publishes
     * these 17 buckets (and +Inf) and histogram_quantile works.
     */
    static final Duration[] LATENCY_BUCKETS = { Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20),
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(180),
            Duration.ofSeconds(300), Duration.ofSeconds(600) };

    private final MeterRegistry registry;

    private final String model;

    private final String endpoint;

    private final Function<String, Timer> loadTimer;

    private final Map<String, Timer> requests = new ConcurrentHashMap<>();

    private final Map<Boolean, Counter> coldStarts = new ConcurrentHashMap<>();

    private volatile Timer firstChunk;

    private volatile Timer load;

    private volatile Counter tokens;

    private volatile Counter evalSeconds;

    private volatile DistributionSummary tokensPerSecond;

    /** {@code upstream=<host>} on a fleet; none with one Ollama. */
    private final Tags host;

    RequestMeters(MeterRegistry registry, String model, String endpoint, Function<String, Timer> loadTimer, Tags host) {
        this.host = host;
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
            timer = latency(Timer.builder("keepwarm.time.to.first.chunk")
                .description("request start to the first response byte")).tags("model", model, "endpoint", endpoint)
                .tags(host)
                .register(registry);
            firstChunk = timer;
        }
        timer.record(Duration.ofNanos(nanos));
    }

    void request(String status, long nanos) {
        requests
            .computeIfAbsent(status,
                    s -> latency(
                            Timer.builder("keepwarm.request").description("whole proxied request, to the last byte"))
                        .tags("model", model, "endpoint", endpoint, "status", s)
                        .tags(host)
                        .register(registry))
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
        coldStarts.computeIfAbsent(pinned, p -> ColdStarts.counter(registry, model, p, host)).increment();
    }

    void generated(long evalCount, long evalDurationNs) {
        Counter counter = tokens;
        if (counter == null) {
            counter = Counter.builder("keepwarm.generated.tokens")
                .description("tokens generated (eval_count)")
                .tags("model", model)
                .tags(host)
                .register(registry);
            tokens = counter;
        }
        counter.increment(evalCount);
        if (evalDurationNs > 0) {
            Counter eval = evalSeconds;
            if (eval == null) {
                // rate(tokens) / rate(eval seconds) is the true token rate; the summary
                // below averages per-request rates
                eval = Counter.builder("keepwarm.eval")
                    .baseUnit("seconds")
                    .description("time spent generating tokens (eval_duration)")
                    .tags("model", model)
                    .tags(host)
                    .register(registry);
                evalSeconds = eval;
            }
            eval.increment(evalDurationNs / 1e9);
            DistributionSummary summary = tokensPerSecond;
            if (summary == null) {
                summary = DistributionSummary.builder("keepwarm.tokens.per.second")
                    .description("eval_count / eval_duration")
                    .tags("model", model)
                    .tags(host)
                    .register(registry);
                tokensPerSecond = summary;
            }
            summary.record(evalCount / (evalDurationNs / 1e9));
        }
    }

    private static Timer.Builder latency(Timer.Builder timer) {
        return timer.serviceLevelObjectives(LATENCY_BUCKETS)
            .minimumExpectedValue(LATENCY_BUCKETS[0])
            .maximumExpectedValue(LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1]);
    }

}
