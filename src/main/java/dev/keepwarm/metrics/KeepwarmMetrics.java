package dev.keepwarm.metrics;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.keepwarm.policy.Action;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.proxy.ProxyObserver;
import dev.keepwarm.warmer.PingListener;
import dev.keepwarm.warmer.PingOutcome;
import dev.keepwarm.warmer.PingPurpose;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

/**
 * keepwarm's request, decision and ping meters. Tags are bounded: {@code model} through
 * {@link ModelTags}, {@code endpoint}, {@code action}, {@code outcome}, {@code source}
 * and {@code pinned} from fixed sets, {@code status} from HTTP status codes.
 */
public final class KeepwarmMetrics implements PingListener, ProxyObserver {

    /** The one host's name with one Ollama. */
    private static final String DEFAULT_HOST = "default";

    /** Load-latency buckets from a warm hand-over to a 70B cold load. */
    private static final Duration[] LOAD_BUCKETS = { Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300), Duration.ofSeconds(600) };

    private final MeterRegistry registry;

    private final ModelTags models;

    private final PolicySource policies;

    private final long coldStartNanos;

    /**
     * host -> endpoint -> model tag -> meters; every key comes from a bounded set (the
     * host is {@code default} with one Ollama)
     */
    private final Map<String, Map<String, Map<String, RequestMeters>>> requests = new ConcurrentHashMap<>();

    /** Whether meters carry the {@code upstream} tag: on a fleet. */
    private final boolean fleet;

    /** host -> reason -> requests routed there; hosts and reasons are bounded */
    private final Map<String, Map<String, Counter>> routed = new ConcurrentHashMap<>();

    private final Map<Action, Map<String, Counter>> decisions = new EnumMap<>(Action.class);

    KeepwarmMetrics(MeterRegistry registry, ModelTags models, PolicySource policies, Duration coldStartThreshold) {
        this(registry, models, policies, coldStartThreshold, false);
    }

    KeepwarmMetrics(MeterRegistry registry, ModelTags models, PolicySource policies, Duration coldStartThreshold,
            boolean fleet) {
        this.fleet = fleet;
        this.registry = registry;
        this.models = models;
        this.policies = policies;
        this.coldStartNanos = coldStartThreshold.toNanos();
        for (Action action : Action.values()) {
            decisions.put(action, new ConcurrentHashMap<>());
        }
    }

    /** Starts observing a proxied request for a model on one of the fixed endpoints. */
    @Override
    public ProxyObserver.Request observe(String model, String endpoint) {
        return observe(model, endpoint, DEFAULT_HOST);
    }

    @Override
    public ProxyObserver.Request observe(String model, String endpoint, String host) {
        return new RequestObservation(this, meters(models.tag(model), endpoint, host));
    }

    /** Counts a request a fleet sent to a host ({@code keepwarm_routed_total}). */
    @Override
    public void routed(String host, String reason) {
        Map<String, Counter> byReason = routed.get(host);
        if (byReason == null) {
            byReason = routed.computeIfAbsent(host, h -> new ConcurrentHashMap<>());
        }
        Counter counter = byReason.get(reason);
        if (counter == null) {
            counter = byReason.computeIfAbsent(reason,
                    r -> Counter.builder("keepwarm.routed")
                        .description("requests a fleet sent to a host, by why that host: resident, placed, hashed, "
                                + "named (X-Keepwarm-Upstream) or retry")
                        .tags("upstream", host, "reason", r)
                        .register(registry));
        }
        counter.increment();
    }

    /** The upstream tag of a host's meters: none with one Ollama. */
    private Tags upstream(String host) {
        return fleet ? Tags.of("upstream", host) : Tags.empty();
    }

    /** Counts a keep_alive decision. */
    @Override
    public void decided(String model, Action action) {
        Map<String, Counter> byModel = decisions.get(action);
        String tag = models.tag(model);
        // a plain get first, as in meters(): no lambda on every request's path
        Counter counter = byModel.get(tag);
        if (counter == null) {
            counter = byModel.computeIfAbsent(tag,
                    t -> Counter.builder("keepwarm.keep.alive.decisions")
                        .description("keep_alive decisions by action")
                        .tags("model", t, "action", action.tag())
                        .register(registry));
        }
        counter.increment();
    }

    @Override
    public void pinged(String model, PingOutcome outcome, @Nullable Duration took, boolean loaded) {
        pinged(DEFAULT_HOST, model, outcome, took, loaded);
    }

    @Override
    public void pinged(String host, String model, PingOutcome outcome, @Nullable Duration took, boolean loaded) {
        String tag = models.tag(model);
        pings(tag, outcome, PingPurpose.WARM, host);
        if (loaded && took != null) {
            loadTimer(tag, "ping", upstream(host)).record(took);
        }
    }

    /**
     * A ping of a model /api/ps listed as pinned, sent to find a crashed runner before a
     * user does.
     */
    @Override
    public void verified(String model, PingOutcome outcome, @Nullable Duration took) {
        verified(DEFAULT_HOST, model, outcome, took);
    }

    @Override
    public void verified(String host, String model, PingOutcome outcome, @Nullable Duration took) {
        pings(models.tag(model), outcome, PingPurpose.VERIFY, host);
    }

    private void pings(String model, PingOutcome outcome, PingPurpose purpose, String host) {
        Counter.builder("keepwarm.pings")
            .description("warmer pings by outcome; purpose=verify checks a listed pin")
            .tags("model", model, "outcome", outcome.tag(), "purpose", purpose.tag())
            .tags(upstream(host))
            .register(registry)
            .increment();
    }

    private RequestMeters meters(String model, String endpoint, String host) {
        Map<String, Map<String, RequestMeters>> byEndpoint = requests.get(host);
        if (byEndpoint == null) {
            byEndpoint = requests.computeIfAbsent(host, h -> new ConcurrentHashMap<>());
        }
        Map<String, RequestMeters> byModel = byEndpoint.get(endpoint);
        if (byModel == null) {
            byModel = byEndpoint.computeIfAbsent(endpoint, e -> new ConcurrentHashMap<>());
        }
        // a plain get first: no lambda on the path every request takes
        RequestMeters meters = byModel.get(model);
        Tags tags = upstream(host);
        return meters != null ? meters : byModel.computeIfAbsent(model,
                m -> new RequestMeters(registry, m, endpoint, tag -> loadTimer(tag, "request", tags), tags));
    }

    void finished(RequestMeters meters, String status, long nanos, FinalChunk last) {
        meters.request(status, nanos);
        String model = meters.model();
        if (last.loadDurationNs() >= 0) {
            meters.load(last.loadDurationNs());
            if (last.loadDurationNs() >= coldStartNanos) {
                meters.coldStart(!ModelTags.OTHER.equals(model)
                        && policies.current().rule(model).map(ModelRule::warm).orElse(false));
            }
        }
        if (last.evalCount() > 0) {
            meters.generated(last.evalCount(), last.evalDurationNs());
        }
    }

    private Timer loadTimer(String model, String source, Tags host) {
        return Timer.builder("keepwarm.model.load")
            .description("model load time (load_duration, or a timed ping)")
            .serviceLevelObjectives(LOAD_BUCKETS)
            .minimumExpectedValue(LOAD_BUCKETS[0])
            .maximumExpectedValue(LOAD_BUCKETS[LOAD_BUCKETS.length - 1])
            .tags("model", model, "source", source)
            .tags(host)
            .register(registry);
    }

}
