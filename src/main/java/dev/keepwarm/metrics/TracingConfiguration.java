package dev.keepwarm.metrics;

import java.time.Clock;

import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.exporter.SpanExportingPredicate;
import io.micrometer.tracing.propagation.Propagator;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import dev.keepwarm.proxy.ProxyTracer;
import dev.keepwarm.warmer.PingListener;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Traces, when spans go somewhere: a span exporter exists once
 * {@code management.opentelemetry.tracing.export.otlp.endpoint} is set (Boot's OTLP
 * exporter), or an application registers one. Without an exporter keepwarm makes no spans
 * at all and passes a client's trace headers to Ollama unchanged.
 */
@Configuration(proxyBeanMethods = false)
class TracingConfiguration {

    @Bean
    ProxyTracer proxyTracer(ObjectProvider<SpanExporter> exporters, ObjectProvider<Tracer> tracer,
            ObjectProvider<Propagator> propagator, MetricsProperties properties) {
        Tracer spans = tracer.getIfAvailable();
        Propagator headers = propagator.getIfAvailable();
        if (!exporting(exporters) || spans == null || headers == null) {
            return ProxyTracer.NONE;
        }
        return new ProxySpans(spans, headers, properties.coldStartThreshold());
    }

    @Bean
    PingListener pingSpans(ObjectProvider<SpanExporter> exporters, ObjectProvider<Tracer> tracer, Clock clock) {
        Tracer spans = tracer.getIfAvailable();
        if (!exporting(exporters) || spans == null) {
            return (model, outcome, took, loaded) -> {
            };
        }
        return new PingSpans(spans, clock);
    }

    /**
     * Keeps the actuator's own requests (health probes, Prometheus scrapes: many, and
     * nobody's request) out of the exported traces.
     */
    @Bean
    SpanExportingPredicate noActuatorSpans(
            @Value("${management.endpoints.web.base-path:/actuator}") String actuatorPath) {
        return span -> {
            String uri = span.getTags().get("uri");
            return uri == null || !uri.startsWith(actuatorPath);
        };
    }

    private static boolean exporting(ObjectProvider<SpanExporter> exporters) {
        return exporters.stream().findAny().isPresent();
    }

}
