package dev.keepwarm.proxy;

import java.time.Clock;
import java.time.Duration;

import dev.keepwarm.metrics.KeepwarmMetrics;
import dev.keepwarm.ollama.Upstream;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import org.jspecify.annotations.Nullable;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.Warmer;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the proxy: one handler that Boot's Reactor Netty server routes every request of the proxy port to. The
 * management server (its own port, its own child context) is built without these routes and serves the actuator.
 */
@Configuration(proxyBeanMethods = false)
class ProxyConfiguration {

    @Bean
    ProxyHandler proxyHandler(Upstream upstream, ProxyProperties proxy, PolicySource policies, Clock clock,
            Warmer warmer, KeepwarmMetrics metrics, ObjectProvider<ProxyGate> gate) {
        JsonMapper json = requestJson(proxy);
        ProxyErrors errors = new ProxyErrors(json);
        ResponseRelay relay = new ResponseRelay(upstream.properties().idleTimeout(), errors, json);
        ForwardedHeaders headers = new ForwardedHeaders(TrustedProxies.parse(proxy.trustedProxies()));
        UpstreamCall call = new UpstreamCall(upstream, relay, errors, bulkhead(proxy), headers);
        return new ProxyHandler(gate.getIfAvailable(() -> ProxyGate.OPEN), new RequestRewriter(policies, clock, json), call,
                errors, proxy.maxRequestSize(), warmer, metrics, headers);
    }

    /** Every path on the proxy port is Ollama's. */
    @Bean
    NettyRouteProvider proxyRoutes(ProxyHandler handler) {
        return routes -> routes.route(request -> true, handler);
    }

    /** Caps requests in flight to Ollama ({@code keepwarm.proxy.max-concurrent}); none when unset. */
    private static @Nullable Bulkhead bulkhead(ProxyProperties proxy) {
        if (proxy.maxConcurrent() == null) {
            return null;
        }
        return Bulkhead.of("ollama-proxy", BulkheadConfig.custom().maxConcurrentCalls(proxy.maxConcurrent())
                .maxWaitDuration(Duration.ZERO).build());
    }

    /**
     * Reads request bodies exactly: decimals stay as written, and strings may be as long as the body allows
     * (base64 images of many MB; Jackson's default string limit is 20M characters).
     */
    static JsonMapper requestJson(ProxyProperties proxy) {
        int max = (int) proxy.maxRequestSize().toBytes();
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(max).maxDocumentLength(max).build())
                .build();
        JsonMapper mapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();
        return JsonWarmUp.warm(mapper);
    }
}
