package dev.keepwarm.proxy;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import java.util.concurrent.atomic.AtomicReference;

import dev.keepwarm.ollama.OllamaHosts;
import dev.keepwarm.ollama.UpstreamProperties;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import org.jspecify.annotations.Nullable;
import dev.keepwarm.policy.PolicySource;
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
 * Wires the proxy: one handler that Boot's Reactor Netty server routes every request of
 * the proxy port to. The management server (its own port, its own child context) is built
 * without these routes and serves the actuator.
 */
@Configuration(proxyBeanMethods = false)
class ProxyConfiguration {

    /**
     * The proxy's bulkhead in Resilience4j's registry:
     * {@code resilience4j.bulkhead.instances.ollama-proxy}.
     */
    static final String BULKHEAD = "ollama-proxy";

    @Bean
    ProxyHandler proxyHandler(OllamaHosts hosts, UpstreamProperties upstream, ProxyProperties proxy,
            PolicySource policies, Clock clock, ObjectProvider<ResidencyGuard> residency,
            ObjectProvider<ProxyObserver> observer, ObjectProvider<ProxyGate> gate, ObjectProvider<HostRouter> router,
            ObjectProvider<KeepAliveAdvisor> advisor, ObjectProvider<ProxyTracer> tracer, BulkheadRegistry bulkheads) {
        JsonMapper json = requestJson(proxy);
        ProxyErrors errors = new ProxyErrors(json);
        ResponseRelay relay = new ResponseRelay(upstream.idleTimeout(), errors, json);
        ForwardedHeaders headers = new ForwardedHeaders(TrustedProxies.parse(proxy.trustedProxies()));
        Bulkhead bulkhead = bulkhead(proxy, bulkheads);
        Upstreams upstreams = new Upstreams(hosts,
                host -> new UpstreamCall(host.connection(), host.name(), relay, errors, bulkhead, headers));
        RequestRewriter rewriter = new RequestRewriter(policies, clock, json,
                advisor.getIfAvailable(() -> KeepAliveAdvisor.NONE));
        BodyReader bodies = new BodyReader(proxy.maxRequestSize(), errors);
        AtomicReference<ProxyHandler> handler = new AtomicReference<>();
        HostRouter routes = router.getIfAvailable(() -> HostRouter.ONE);
        FleetRoutes fleet = new FleetRoutes(bodies, rewriter,
                (exchange, model, body, named) -> handler.get().toModelHost(exchange, model, body, named), upstreams,
                routes, errors, json);
        handler.set(new ProxyHandler(gate.getIfAvailable(() -> ProxyGate.OPEN), rewriter, upstreams, routes, fleet,
                errors, bodies, residency.getIfAvailable(() -> ResidencyGuard.NONE),
                observer.getIfAvailable(() -> ProxyObserver.NONE), headers,
                tracer.getIfAvailable(() -> ProxyTracer.NONE)));
        return handler.get();
    }

    /** Every path on the proxy port is Ollama's. */
    @Bean
    NettyRouteProvider proxyRoutes(ProxyHandler handler) {
        return routes -> routes.route(request -> true, handler);
    }

    /**
     * Caps requests in flight to Ollama: the registry's {@code ollama-proxy} bulkhead, so
     * its meters are published. {@code keepwarm.proxy.max-concurrent} sets its limit;
     * {@code resilience4j.bulkhead.instances.ollama-proxy} settings (such as
     * max-wait-duration) apply as well, and its max-concurrent-calls only when
     * max-concurrent is unset. Neither set: no bulkhead. A request that finds it full is
     * not queued unless max-wait-duration says so.
     */
    static @Nullable Bulkhead bulkhead(ProxyProperties proxy, BulkheadRegistry registry) {
        // the Boot starter creates configured instances
        Optional<Bulkhead> configured = registry.find(BULKHEAD);
        if (proxy.maxConcurrent() == null) {
            return configured.orElse(null);
        }
        BulkheadConfig base = configured.map(Bulkhead::getBulkheadConfig)
            .orElseGet(() -> BulkheadConfig.custom().maxWaitDuration(Duration.ZERO).build());
        BulkheadConfig config = BulkheadConfig.from(base).maxConcurrentCalls(proxy.maxConcurrent()).build();
        if (configured.isPresent()) {
            configured.get().changeConfig(config);
            return configured.get();
        }
        return registry.bulkhead(BULKHEAD, config);
    }

    /**
     * Reads request bodies exactly: decimals stay as written, and strings may be as long
     * as the body allows (base64 images of many MB; Jackson's default string limit is 20M
     * characters).
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
