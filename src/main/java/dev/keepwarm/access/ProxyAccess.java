package dev.keepwarm.access;

import java.util.List;
import java.util.function.Supplier;

import dev.keepwarm.proxy.ProxyGate;
import dev.keepwarm.access.Verdict.Pass;
import dev.keepwarm.access.Verdict.Refuse;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpMethod;

/**
 * API keys and admin routes on the proxy port: the first thing the proxy asks of every
 * request, so a refused request reaches nothing else. A request that passes with a
 * keepwarm key goes on without its Authorization header: Ollama never sees keepwarm's
 * keys. The management port never asks: the actuator is not behind this gate.
 */
final class ProxyAccess implements ProxyGate {

    private static final Logger log = LoggerFactory.getLogger(ProxyAccess.class);

    private final AccessPolicy policy;

    private final AuthMetrics metrics;

    ProxyAccess(AccessPolicy policy, AuthMetrics metrics) {
        this.policy = policy;
        this.metrics = metrics;
    }

    @Override
    public Admission admit(HttpMethod method, String path, List<String> authorization,
            Supplier<@Nullable String> client) {
        Verdict verdict = policy.check(method, path, authorization);
        if (verdict instanceof Pass pass) {
            if (pass.keyName() == null) {
                return Admission.PASS;
            }
            metrics.accepted(pass.keyName());
            return Admission.PASS_WITHOUT_KEY;
        }
        Refuse refuse = (Refuse) verdict;
        metrics.refused(refuse.reason());
        if (log.isDebugEnabled()) {
            log.debug("Refused {} {} from {}: {}", method, path, client.get(), refuse.reason().tag());
        }
        return Admission.refuse(refuse.status().value(), refuse.message(), refuse.challenge());
    }

}
