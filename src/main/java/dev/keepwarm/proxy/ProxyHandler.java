package dev.keepwarm.proxy;

import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.keepwarm.policy.Decision;
import dev.keepwarm.policy.KeepAlive;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;
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

    private final Upstreams upstreams;

    private final HostRouter router;

    private final FleetRoutes fleet;

    private final ProxyErrors errors;

    private final BodyReader bodies;

    private final ResidencyGuard residency;

    private final ProxyObserver observer;

    private final ForwardedHeaders headers;

    private final ProxyTracer tracer;

    ProxyHandler(ProxyGate gate, RequestRewriter rewriter, Upstreams upstreams, HostRouter router, FleetRoutes fleet,
            ProxyErrors errors, BodyReader bodies, ResidencyGuard residency, ProxyObserver observer,
            ForwardedHeaders headers, ProxyTracer tracer) {
        this.gate = gate;
        this.rewriter = rewriter;
        this.upstreams = upstreams;
        this.router = router;
        this.fleet = fleet;
        this.errors = errors;
        this.bodies = bodies;
        this.residency = residency;
        this.observer = observer;
        this.headers = headers;
        this.tracer = tracer;
    }

    @Override
    public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
        ProxyExchange exchange = ProxyExchange.of(request, response, tracer);
        ProxyTracer.Trace trace = exchange.trace();
        if (trace == ProxyTracer.Trace.NONE) {
            return handle(exchange);
        }
        return Mono.from(handle(exchange)).doFinally(signal -> trace.end(response.status().code(), switch (signal) {
            case ON_ERROR -> "error";
            case CANCEL -> CANCELLED;
            default -> null;
        }));
    }

    private Publisher<Void> handle(ProxyExchange exchange) {
        HttpServerRequest request = exchange.request();
        HttpServerResponse response = exchange.response();
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
        String named = exchange.request().requestHeaders().get(ProxyErrors.UPSTREAM_HEADER);
        if (named != null && upstreams.call(named).isEmpty()) {
            return errors
                .respond(
                        exchange.response(), HttpStatus.NOT_FOUND, "keepwarm: no Ollama host is named '" + named + "' ("
                                + ProxyErrors.UPSTREAM_HEADER + "); hosts: " + String.join(", ", upstreams.names()),
                        null);
        }
        Optional<KeepAliveRoute> route = KeepAliveRoute.rewritable(exchange.method(), exchange.path());
        if (route.isPresent()) {
            return bodies.read(exchange, body -> rewriteAndForward(exchange, route.get(), body, named));
        }
        if (KeepAliveRoute.dropsKeepAlive(exchange.method(), exchange.path())) {
            return bodies.read(exchange, body -> guardThenForward(exchange, body, named));
        }
        if (upstreams.fleet()) {
            Mono<Void> fleetRoute = fleet.route(exchange, named);
            if (fleetRoute != null) {
                return fleetRoute;
            }
        }
        return passThrough(exchange, named);
    }

    /**
     * A route without a model: to the host named, else the one host, else the first
     * healthy host of a fleet. A request without a body goes to the next host when no
     * connection could be made; a streamed body cannot be sent twice.
     */
    private Mono<Void> passThrough(ProxyExchange exchange, @Nullable String named) {
        List<Target> hosts = named != null ? List.of(new Target(named, NAMED))
                : Target.unreasoned(upstreams.fleet() ? router.healthy() : upstreams.names());
        if (hosts.isEmpty()) {
            return noHost(exchange, null, null);
        }
        boolean bodiless = !UpstreamCall.hasBody(exchange.request().requestHeaders(), -1);
        return attempt(exchange, hosts, 0, () -> exchange.request().receive().retain(), -1, RequestExtras.NONE,
                bodiless);
    }

    private Mono<Void> rewriteAndForward(ProxyExchange exchange, KeepAliveRoute route, byte[] body,
            @Nullable String named) {
        RequestRewriter.Rewrite rewrite = rewriter.rewrite(route, body);
        Decision decision = rewrite.decision();
        if (rewrite.model() != null) {
            exchange.trace().model(rewrite.model(), route.tag());
        }
        if (decision != null && decision.refused()) {
            observer.decided(rewrite.model(), decision.action());
            return errors.respond(exchange.response(), HttpStatus.CONFLICT, decision.refusal(), rewrite.header());
        }
        String model = rewrite.model();
        if (model != null && decision != null) {
            observer.decided(model, decision.action());
        }
        List<Target> hosts = hostsFor(model, named, rewrite.numCtx());
        if (hosts.isEmpty()) {
            rewrite.advice().ended(NO_HOST);
            return noHost(exchange, model, rewrite.header());
        }
        byte[] sent = rewrite.body();
        String host = hosts.get(0).host();
        if (model != null && decision != null && exchange.trace() != ProxyTracer.Trace.NONE) {
            exchange.trace().decided(decision.action().tag(), keepAliveSent(decision), decision.rule());
        }
        if (model != null && decision != null && log.isDebugEnabled()) {
            // the fields of a structured log line; never the prompt, a key or a client's
            // own keep_alive (any text: it would forge lines in a plain log)
            String keepAliveSent = keepAliveSent(decision);
            traced(log.atDebug(), exchange).addKeyValue(MODEL, model)
                .addKeyValue(ROUTE, exchange.path())
                .addKeyValue(HOST, host)
                .addKeyValue(DECISION, decision.action().tag())
                .addKeyValue("keep_alive", keepAliveSent)
                .log("{} for {} goes to {}: keep_alive {} ({}, rule {})", exchange.path(), model, host, keepAliveSent,
                        decision.action().tag(), decision.rule());
        }
        RequestExtras extras = (model != null && decision != null) ? new RequestExtras(rewrite.header(),
                () -> residency.clientLeftBeforeResponse(host, model), RequestExtras
                    .advised(exchange.trace().observing(observer.observe(model, route.tag(), host)), rewrite.advice()))
                : RequestExtras.NONE;
        return attempt(exchange, hosts, 0, () -> HostRequests.bytes(sent), sent.length, extras, true);
    }

    /**
     * /v1 and Anthropic routes: the body goes on unchanged, inside the residency guard of
     * the host it goes to.
     */
    private Mono<Void> guardThenForward(ProxyExchange exchange, byte[] body, @Nullable String named) {
        Optional<String> model = rewriter.model(body);
        List<Target> hosts = hostsFor(model.orElse(null), named, 0);
        if (hosts.isEmpty()) {
            return noHost(exchange, model.orElse(null), null);
        }
        String host = hosts.get(0).host();
        model.ifPresent(m -> exchange.trace().model(m, "openai"));
        // a use adaptive mode learns from, though these routes carry no keep_alive
        KeepAliveAdvisor.Advice advice = model.map(rewriter::used).orElse(KeepAliveAdvisor.Advice.NONE);
        RequestExtras extras = model
            .map(m -> new RequestExtras(null, null,
                    RequestExtras.advised(exchange.trace().observing(observer.observe(m, "openai", host)), advice)))
            .orElse(RequestExtras.NONE);
        Mono<Void> forward = Mono
            .defer(() -> attempt(exchange, hosts, 0, () -> HostRequests.bytes(body), body.length, extras, true));
        // a client that leaves during the guard's ping never reaches the forward, which
        // would have told the advice
        return model.map(m -> residency.aroundKeepAliveDroppingRequest(host, m, forward))
            .orElse(forward)
            .doOnCancel(() -> advice.ended(CANCELLED));
    }

    /** A request that names a model, sent unchanged to the host routing chose. */
    Mono<Void> toModelHost(ProxyExchange exchange, @Nullable String model, byte[] body, @Nullable String named) {
        List<Target> hosts = hostsFor(model, named, 0);
        if (hosts.isEmpty()) {
            return noHost(exchange, model, null);
        }
        return attempt(exchange, hosts, 0, () -> HostRequests.bytes(body), body.length, RequestExtras.NONE, true);
    }

    /**
     * The hosts a request for the model may go to, most preferred first: the one named by
     * the request's header, else what routing chose.
     */
    private List<Target> hostsFor(@Nullable String model, @Nullable String named, long numCtx) {
        if (named != null) {
            return List.of(new Target(named, NAMED));
        }
        if (!upstreams.fleet()) {
            return Target.unreasoned(upstreams.names());
        }
        if (model == null) {
            return Target.unreasoned(router.healthy());
        }
        return router.route(model, numCtx, upstreams::inFlight)
            .stream()
            .map(route -> new Target(route.host(), route.reason().tag()))
            .toList();
    }

    /**
     * A host to try and why it is there: the {@code reason} of keepwarm_routed_total,
     * null for a request that names no model.
     */
    private record Target(String host, @Nullable String reason) {

        static List<Target> unreasoned(List<String> hosts) {
            return hosts.stream().map(host -> new Target(host, null)).toList();
        }

    }

    /**
     * Sends the request to hosts[index]; when no connection could be made there and the
     * body can be sent again, to the next host.
     */
    private Mono<Void> attempt(ProxyExchange exchange, List<Target> hosts, int index, Supplier<Publisher<ByteBuf>> body,
            long contentLength, RequestExtras extras, boolean replayable) {
        String host = hosts.get(index).host();
        String reason = index == 0 ? hosts.get(index).reason() : RETRY;
        if (upstreams.fleet() && reason != null) {
            observer.routed(host, reason);
        }
        exchange.trace().host(host, reason);
        UpstreamCall call = upstreams.call(host).orElse(null);
        if (call == null) {
            if (index + 1 < hosts.size()) {
                return attempt(exchange, hosts, index + 1, body, contentLength, extras, replayable);
            }
            extras.finished(NO_HOST);
            return noHost(exchange, null, null);
        }
        Function<Throwable, Mono<Void>> next = (replayable && index + 1 < hosts.size()) ? error -> {
            traced(log.atWarn(), exchange).addKeyValue(HOST, host)
                .addKeyValue(ROUTE, exchange.path())
                .log("Ollama host {} unreachable ({}); {} {} goes to {}", host, error.toString(), exchange.method(),
                        exchange.path(), hosts.get(index + 1).host());
            return attempt(exchange, hosts, index + 1, body, contentLength, extras, replayable);
        } : null;
        return upstreams.counted(host, call.forward(exchange, body.get(), contentLength, extras, next));
    }

    /**
     * The keep_alive the decision sends, as logs and spans show it: keepwarm's value
     * only, never a client's own.
     */
    private static String keepAliveSent(Decision decision) {
        return decision.send().map(KeepAlive::toString).orElse("as the client sent it");
    }

    /** A log event with the request's trace id, when it is traced. */
    private static LoggingEventBuilder traced(LoggingEventBuilder event, ProxyExchange exchange) {
        String traceId = exchange.trace().traceId();
        return traceId == null ? event : event.addKeyValue(TRACE_ID, traceId);
    }

    /** A fleet without a healthy host that may serve the request. */
    private Mono<Void> noHost(ProxyExchange exchange, @Nullable String model, @Nullable String keepAliveHeader) {
        String what = model != null ? " can serve " + model : " answers";
        return errors.respond(exchange.response(), HttpStatus.SERVICE_UNAVAILABLE,
                "keepwarm: no healthy Ollama host" + what + " (hosts: " + String.join(", ", upstreams.names()) + ")",
                keepAliveHeader, "Retry-After", "5");
    }

    /** The routed reason of a request whose X-Keepwarm-Upstream named the host. */
    private static final String NAMED = "named";

    /** The routed reason of a request sent on after its host could not be reached. */
    private static final String RETRY = "retry";

    /** How a request ends that no host could take, for its meters and adaptive mode. */
    private static final String NO_HOST = "503";

    /** Fields of structured (JSON) log lines: what a log pipeline filters on. */
    private static final String MODEL = "model";

    private static final String ROUTE = "route";

    private static final String HOST = "host";

    private static final String DECISION = "decision";

    /** The request's trace (absent, so no field, when nothing is traced). */
    private static final String TRACE_ID = "trace_id";

    /** How a request ends whose client left before it was forwarded. */
    private static final String CANCELLED = "cancelled";

}
