package dev.keepwarm.metrics;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.keepwarm.warmer.PingListener;
import dev.keepwarm.warmer.PingOutcome;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.jspecify.annotations.Nullable;

/**
 * A span per warmer ping that was sent: a trace of its own (the warmer acts on its
 * schedule, not on a request), from when the ping started to its end, with the model, the
 * host, how it ended and whether it loaded the model.
 */
final class PingSpans implements PingListener {

    static final String OUTCOME = "keepwarm.ping.outcome";

    static final String LOADED = "keepwarm.ping.loaded";

    private final Tracer tracer;

    private final Clock clock;

    PingSpans(Tracer tracer, Clock clock) {
        this.tracer = tracer;
        this.clock = clock;
    }

    @Override
    public void pinged(String model, PingOutcome outcome, @Nullable Duration took, boolean loaded) {
        pinged("default", model, outcome, took, loaded);
    }

    @Override
    public void pinged(String host, String model, PingOutcome outcome, @Nullable Duration took, boolean loaded) {
        span("keepwarm ping", host, model, outcome, took, loaded);
    }

    @Override
    public void verified(String host, String model, PingOutcome outcome, @Nullable Duration took) {
        span("keepwarm verify", host, model, outcome, took, false);
    }

    private void span(String name, String host, String model, PingOutcome outcome, @Nullable Duration took,
            boolean loaded) {
        if (took == null) {
            return; // not sent: nothing happened on the wire
        }
        long end = clock.millis();
        Span span = tracer.spanBuilder()
            .setNoParent()
            .kind(Span.Kind.CLIENT)
            .name(name)
            .tag(ProxySpans.MODEL, model)
            .tag(ProxySpans.HOST, host)
            .tag(OUTCOME, outcome.tag())
            .tag(LOADED, loaded)
            .startTimestamp(end - took.toMillis(), TimeUnit.MILLISECONDS)
            .start();
        if (outcome == PingOutcome.FAILED) {
            span.error(new ProxySpans.UnsuccessfulResponse("ping " + outcome.tag()));
        }
        span.end(end, TimeUnit.MILLISECONDS);
    }

}
