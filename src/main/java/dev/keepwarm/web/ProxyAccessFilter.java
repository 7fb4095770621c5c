package dev.keepwarm.web;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.keepwarm.web.Verdict.Pass;
import dev.keepwarm.web.Verdict.Refuse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * API keys and admin routes on the proxy port. The management server's child context inherits this filter, so
 * requests built by any other context than the one that created it (the actuator's) pass untouched, the same test
 * ProxyHandlerMapping makes. A request that passes with a keepwarm key goes on without its Authorization header:
 * Ollama never sees keepwarm's keys.
 */
final class ProxyAccessFilter implements WebFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(ProxyAccessFilter.class);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static {
        // build the Map serializer now: on first use Jackson builds it under a lock an event loop must not wait on
        JSON.writeValueAsString(Map.of("error", "warm-up"));
    }

    private final AccessPolicy policy;
    private final AuthMetrics metrics;
    private final ApplicationContext proxyContext;

    ProxyAccessFilter(AccessPolicy policy, AuthMetrics metrics, ApplicationContext proxyContext) {
        this.policy = policy;
        this.metrics = metrics;
        this.proxyContext = proxyContext;
    }

    /** First: a refused request reaches nothing else, and no other filter sees a keepwarm key. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (exchange.getApplicationContext() != proxyContext) {
            return chain.filter(exchange);
        }
        ServerHttpRequest request = exchange.getRequest();
        Verdict verdict = policy.check(request.getMethod(), request.getPath().value(),
                request.getHeaders().getOrEmpty(HttpHeaders.AUTHORIZATION));
        if (verdict instanceof Pass pass) {
            if (pass.keyName() == null) {
                return chain.filter(exchange);
            }
            metrics.accepted(pass.keyName());
            return chain.filter(exchange.mutate()
                    .request(r -> r.headers(headers -> headers.remove(HttpHeaders.AUTHORIZATION))).build());
        }
        Refuse refuse = (Refuse) verdict;
        metrics.refused(refuse.reason());
        log.debug("Refused {} {} from {}: {}", request.getMethod(), request.getPath(), request.getRemoteAddress(),
                refuse.reason().tag());
        return respond(exchange.getResponse(), refuse);
    }

    /** Ollama's error shape {@code {"error":"..."}}, so clients show keepwarm's refusals like Ollama's own errors. */
    private static Mono<Void> respond(ServerHttpResponse response, Refuse refuse) {
        byte[] body = JSON.writeValueAsString(Map.of("error", refuse.message())).getBytes(StandardCharsets.UTF_8);
        response.setStatusCode(refuse.status());
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        response.getHeaders().setContentLength(body.length);
        if (refuse.challenge() != null) {
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, refuse.challenge());
        }
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
