package dev.keepwarm.proxy;

import java.util.Optional;
import java.util.function.BiFunction;

import dev.keepwarm.policy.Decision;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.http.HttpStatus;

/**
 * The proxy's single entry point, a Reactor Netty route on the proxy port: every path and
 * method goes to Ollama; the four native routes that carry keep_alive are read whole (up
 * to max-request-size), rewritten by policy, and sent on; everything else streams through
 * unchanged. Spring WebFlux's request machinery is not on this path: a proxy has no use
 * for it and it cost half the throughput (bench/results/latest.md).
 */
final class ProxyHandler implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

    private static final Logger log = LoggerFactory.getLogger(ProxyHandler.class);

    private final ProxyGate gate;

    private final RequestRewriter rewriter;

    private final UpstreamCall upstream;

    private final ProxyErrors errors;

    private final BodyReader bodies;

    private final ResidencyGuard residency;

    private final ProxyObserver observer;

    private final ForwardedHeaders headers;

    ProxyHandler(ProxyGate gate, RequestRewriter rewriter, UpstreamCall upstream, ProxyErrors errors, BodyReader bodies,
            ResidencyGuard residency, ProxyObserver observer, ForwardedHeaders headers) {
        this.gate = gate;
        this.rewriter = rewriter;
        this.upstream = upstream;
        this.errors = errors;
        this.bodies = bodies;
        this.residency = residency;
        this.observer = observer;
        this.headers = headers;
    }

    @Override
    public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
        ProxyExchange exchange = ProxyExchange.of(request, response);
        ProxyGate.Admission admission = gate.admit(exchange.method(), exchange.path(),
                request.requestHeaders().getAll(HttpHeaderNames.AUTHORIZATION), () -> headers.client(request));
        if (!admission.passes()) {
            return errors.refuse(response, admission);
        }
        ProxyExchange admitted = admission.dropAuthorization() ? exchange.withoutAuthorization() : exchange;
        // only before the response started: a broken stream has already been reported in
        // its own format
        return route(admitted).onErrorResume(error -> !response.hasSentHeaders(), error -> {
            log.error("keepwarm failed on {} {}", admitted.method(), admitted.path(), error);
            return errors.respond(response, HttpStatus.INTERNAL_SERVER_ERROR, "keepwarm: internal error: " + error,
                    null);
        });
    }

    private Mono<Void> route(ProxyExchange exchange) {
        Optional<KeepAliveRoute> route = KeepAliveRoute.rewritable(exchange.method(), exchange.path());
        if (route.isPresent()) {
            return bodies.read(exchange, body -> rewriteAndForward(exchange, route.get(), body));
        }
        if (KeepAliveRoute.dropsKeepAlive(exchange.method(), exchange.path())) {
            return bodies.read(exchange, body -> guardThenForward(exchange, body));
        }
        return upstream.forward(exchange, exchange.request().receive().retain(), -1, RequestExtras.NONE);
    }

    private Mono<Void> rewriteAndForward(ProxyExchange exchange, KeepAliveRoute route, byte[] body) {
        RequestRewriter.Rewrite rewrite = rewriter.rewrite(route, body);
        Decision decision = rewrite.decision();
        if (decision != null && decision.refused()) {
            observer.decided(rewrite.model(), decision.action());
            return errors.respond(exchange.response(), HttpStatus.CONFLICT, decision.refusal(), rewrite.header());
        }
        String model = rewrite.model();
        RequestExtras extras = RequestExtras.NONE;
        if (model != null && decision != null) {
            observer.decided(model, decision.action());
            extras = new RequestExtras(rewrite.header(), () -> residency.clientLeftBeforeResponse(model),
                    observer.observe(model, route.tag()));
        }
        return upstream.forward(exchange, bytes(rewrite.body()), rewrite.body().length, extras);
    }

    /**
     * /v1 and Anthropic routes: the body goes on unchanged, inside the residency guard.
     */
    private Mono<Void> guardThenForward(ProxyExchange exchange, byte[] body) {
        Optional<String> model = rewriter.model(body);
        RequestExtras extras = model.map(m -> new RequestExtras(null, null, observer.observe(m, "openai")))
            .orElse(RequestExtras.NONE);
        Mono<Void> forward = Mono.defer(() -> upstream.forward(exchange, bytes(body), body.length, extras));
        return model.map(m -> residency.aroundKeepAliveDroppingRequest(m, forward)).orElse(forward);
    }

    private static Flux<ByteBuf> bytes(byte[] body) {
        return Flux.just(Unpooled.wrappedBuffer(body));
    }

}
