package dev.keepwarm.access;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.keepwarm.access.Verdict.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code keepwarm_auth_failures_total{reason}} and
 * {@code keepwarm_requests_by_key_total{key}}. Both are registered at start-up with their
 * only possible tag values (the fixed reasons, the configured key names), so they are
 * bounded and a rate query sees zeros before the first failure. Keys themselves never
 * reach a meter.
 */
final class AuthMetrics {

    private final Map<Reason, Counter> failures = new EnumMap<>(Reason.class);

    private final Map<String, Counter> byKey;

    AuthMetrics(MeterRegistry registry, List<String> keyNames) {
        for (Reason reason : Reason.values()) {
            failures.put(reason,
                    Counter.builder("keepwarm.auth.failures")
                        .description("requests refused on the proxy port, by reason")
                        .tag("reason", reason.tag())
                        .register(registry));
        }
        byKey = keyNames.stream()
            .collect(Collectors.toUnmodifiableMap(Function.identity(),
                    name -> Counter.builder("keepwarm.requests.by.key")
                        .description("requests let through on the proxy port, by the name of their API key")
                        .tag("key", name)
                        .register(registry)));
    }

    void refused(Reason reason) {
        failures.get(reason).increment();
    }

    void accepted(String keyName) {
        Counter counter = byKey.get(keyName);
        if (counter != null) {
            counter.increment();
        }
    }

}
