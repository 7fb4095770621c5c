package dev.keepwarm.proxy;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.web.reactive.handler.AbstractHandlerMapping;
import org.springframework.web.server.ServerWebExchange;

/**
 * Maps every request on the proxy port to the proxy. The management server's context inherits this mapping from
 * its parent, so requests built by any other context (the actuator's) are left to that context's own mappings.
 */
final class ProxyHandlerMapping extends AbstractHandlerMapping {

    private final ProxyHandler handler;

    ProxyHandlerMapping(ProxyHandler handler) {
        this.handler = handler;
        setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
    }

    @Override
    protected Mono<?> getHandlerInternal(ServerWebExchange exchange) {
        return exchange.getApplicationContext() == getApplicationContext() ? Mono.just(handler) : Mono.empty();
    }
}
