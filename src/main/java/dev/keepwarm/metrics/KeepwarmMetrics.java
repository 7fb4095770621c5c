package dev.keepwarm.metrics;

import java.time.Duration;

import dev.keepwarm.policy.Action;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.PingListener;
import dev.keepwarm.warmer.PingOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

/**
 * keepwarm's request, decision and ping meters. Tags are bounded: {@code model} through {@link ModelTags},
 * {@code endpoint}, {@code action}, {@code outcome}, {@code source} and {@code pinned} from fixed sets, {@code status}
 * from HTTP status codes.
 */
public final class KeepwarmMetrics implements PingListener {

    /** Load-latency buckets from a warm hand-over to a 70B cold load. */
    private static final Duration[] LOAD_BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300), Duration.ofSeconds(600)};

    private final MeterRegistry registry;
    private final ModelTags models;
    private final PolicySource policies;
    private final long coldStartNanos;

    KeepwarmMetrics(MeterRegistry registry, ModelTags models, PolicySource policies, Duration coldStartThreshold) {
        this.registry = registry;
        this.models = models;
        this.policies = policies;
        this.coldStartNanos = coldStartThreshold.toNanos();
    }

    /** Starts observing a proxied request for a model on one of the fixed endpoints. */
    public RequestObservation observe(String model, String endpoint) {
        return new RequestObservation(this, models.tag(model), endpoint);
    }

    /** Counts a keep_alive decision. */
    public void decision(String model, Action action) {
        Counter.builder("keepwarm.keep.alive.decisions").description("keep_alive decisions by action")
                .tags("model", models.tag(model), "action", action.tag()).register(registry).increment();
    }

    @Override
    public void pinged(String model, PingOutcome outcome, @Nullable Duration took, boolean loaded) {
        String tag = models.tag(model);
        Counter.builder("keepwarm.pings").description("warmer pings by outcome")
                .tags("model", tag, "outcome", outcome.tag()).register(registry).increment();
        if (loaded && took != null) {
            loadTimer(tag, "ping").record(took);
        }
    }

    void firstChunk(String model, String endpoint, long nanos) {
        Timer.builder("keepwarm.time.to.first.chunk").description("request start to the first response byte")
                .tags("model", model, "endpoint", endpoint).register(registry).record(Duration.ofNanos(nanos));
    }

    void finished(String model, String endpoint, String status, long nanos, FinalChunk last) {
        Timer.builder("keepwarm.request").description("whole proxied request, to the last byte")
                .tags("model", model, "endpoint", endpoint, "status", status).register(registry)
                .record(Duration.ofNanos(nanos));
        if (last.loadDurationNs() >= 0) {
            loadTimer(model, "request").record(Duration.ofNanos(last.loadDurationNs()));
            if (last.loadDurationNs() >= coldStartNanos) {
                boolean pinned = !ModelTags.OTHER.equals(model)
                        && policies.current().rule(model).map(ModelRule::warm).orElse(false);
                Counter.builder("keepwarm.cold.starts").description("client requests that paid a cold load")
                        .tags("model", model, "pinned", String.valueOf(pinned)).register(registry).increment();
            }
        }
        if (last.evalCount() > 0) {
            Counter.builder("keepwarm.generated.tokens").description("tokens generated (eval_count)")
                    .tags("model", model).register(registry).increment(last.evalCount());
            if (last.evalDurationNs() > 0) {
                DistributionSummary.builder("keepwarm.tokens.per.second").description("eval_count / eval_duration")
                        .tags("model", model).register(registry)
                        .record(last.evalCount() / (last.evalDurationNs() / 1e9));
            }
        }
    }

    private Timer loadTimer(String model, String source) {
        return Timer.builder("keepwarm.model.load").description("model load time (load_duration, or a timed ping)")
                .serviceLevelObjectives(LOAD_BUCKETS).minimumExpectedValue(LOAD_BUCKETS[0])
                .maximumExpectedValue(LOAD_BUCKETS[LOAD_BUCKETS.length - 1])
                .tags("model", model, "source", source).register(registry);
    }
}
