package dev.keepwarm.proxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;

/**
 * The routes of a fleet that are about the fleet rather than one model (issue 13, "Routes
 * without a model"): GET /api/tags, /api/ps and /api/version answer for every healthy
 * host at once; POST /api/show goes to a host that has the model; the state-changing
 * routes (pull, push, create, copy, delete, blobs) go to every healthy host so every host
 * can serve every model, and answer as Ollama would: success when all succeeded, else an
 * error naming the hosts that failed. A request with {@code X-Keepwarm-Upstream} goes to
 * that host alone, as to one Ollama. Admin-route security applied before any of it.
 */
final class FleetRoutes {

    private static final Logger log = LoggerFactory.getLogger(FleetRoutes.class);

    /**
     * How long a host may take over a read about itself (tags, ps, version, a blob
     * check), or the idle timeout when shorter: a host that accepts connections and never
     * answers (Ollama #15950) is left out of the fleet's answer rather than holding it.
     */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    /** Sends a request naming a model to the hosts routing chose for it. */
    interface ModelForward {

        Mono<Void> forward(ProxyExchange exchange, @Nullable String model, byte[] body, @Nullable String named);

    }

    private final BodyReader bodies;

    private final RequestRewriter rewriter;

    private final ModelForward toModel;

    private final Upstreams upstreams;

    private final HostRouter router;

    private final ProxyErrors errors;

    private final JsonMapper json;

    FleetRoutes(BodyReader bodies, RequestRewriter rewriter, ModelForward toModel, Upstreams upstreams,
            HostRouter router, ProxyErrors errors, JsonMapper json) {
        this.bodies = bodies;
        this.rewriter = rewriter;
        this.toModel = toModel;
        this.upstreams = upstreams;
        this.router = router;
        this.errors = errors;
        this.json = json;
    }

    /** The fleet's handling of the request, or null: it passes through to one host. */
    @Nullable Mono<Void> route(ProxyExchange exchange, @Nullable String named) {
        HttpMethod method = exchange.method();
        String path = exchange.path();
        if (method.equals(HttpMethod.POST) && path.equals("/api/show")) {
            return bodies.read(exchange,
                    body -> toModel.forward(exchange, rewriter.model(body).orElse(null), body, named));
        }
        if (named != null) {
            // limited to one host: as one Ollama
            return null;
        }
        boolean read = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
        if (read && path.equals("/api/tags")) {
            return aggregate(exchange, FleetAnswers::tags);
        }
        if (read && path.equals("/api/ps")) {
            return aggregate(exchange, FleetAnswers::ps);
        }
        if (read && path.equals("/api/version")) {
            return aggregate(exchange, FleetAnswers::version);
        }
        if (path.startsWith("/api/blobs/")) {
            if (method.equals(HttpMethod.HEAD)) {
                return aggregate(exchange, FleetAnswers::blobHead);
            }
            if (method.equals(HttpMethod.POST)) {
                return BlobUpload.toEvery(exchange, healthyCalls(), this);
            }
            return null;
        }
        if ((method.equals(HttpMethod.DELETE) && path.equals("/api/delete"))
                || (method.equals(HttpMethod.POST) && path.equals("/api/copy"))) {
            String operation = path.substring("/api/".length());
            return bodies.read(exchange, body -> fanOutWhole(exchange, operation, body));
        }
        if (method.equals(HttpMethod.POST)
                && (path.equals("/api/pull") || path.equals("/api/push") || path.equals("/api/create"))) {
            String operation = path.substring("/api/".length());
            return bodies.read(exchange, body -> streams(body) ? fanOutStreamed(exchange, operation, body)
                    : fanOutWhole(exchange, operation, body));
        }
        return null;
    }

    /** The healthy hosts' calls, in name order. */
    List<UpstreamCall> healthyCalls() {
        List<UpstreamCall> calls = new ArrayList<>();
        for (String host : router.healthy()) {
            upstreams.call(host).ifPresent(calls::add);
        }
        return calls;
    }

    private Mono<Void> aggregate(ProxyExchange exchange,
            Function<List<FleetAnswers.HostBody>, FleetAnswers.Answer> merge) {
        List<UpstreamCall> hosts = healthyCalls();
        if (hosts.isEmpty()) {
            return noHealthyHost(exchange);
        }
        return Flux.fromIterable(hosts)
            .flatMapSequential(host -> HostRequests.whole(host, exchange, null)
                .timeout(readTimeout(host),
                        Mono.fromSupplier(() -> FleetAnswers.HostBody.unreachable(host.host(),
                                "no answer within " + readTimeout(host).toMillis() + " ms"))))
            .collectList()
            .flatMap(answers -> answer(exchange, hosts, merge.apply(answers)));
    }

    /** {@link #READ_TIMEOUT}, or the idle timeout when that is shorter. */
    private static Duration readTimeout(UpstreamCall host) {
        return host.idleTimeout().compareTo(READ_TIMEOUT) < 0 ? host.idleTimeout() : READ_TIMEOUT;
    }

    private Mono<Void> fanOutWhole(ProxyExchange exchange, String operation, byte[] body) {
        List<UpstreamCall> hosts = healthyCalls();
        if (hosts.isEmpty()) {
            return noHealthyHost(exchange);
        }
        return Flux.fromIterable(hosts)
            .flatMapSequential(host -> HostRequests.whole(host, exchange, body))
            .collectList()
            .flatMap(answers -> {
                FleetAnswers.Answer merged = FleetAnswers.fanOut(operation, answers);
                logFailures(operation, exchange, merged);
                return answer(exchange, hosts, merged);
            });
    }

    /**
     * A streamed pull, push or create on every healthy host: one NDJSON stream of every
     * host's progress lines (each with its host) ending in one success or one error.
     */
    private Mono<Void> fanOutStreamed(ProxyExchange exchange, String operation, byte[] body) {
        List<UpstreamCall> hosts = healthyCalls();
        if (hosts.isEmpty()) {
            return noHealthyHost(exchange);
        }
        int count = hosts.size();
        return Flux.fromIterable(hosts)
            .flatMap(host -> HostRequests.streamed(host, exchange, HostRequests.bytes(body), body.length))
            .buffer(count)
            .concatMap(answers -> {
                HttpServerResponse response = exchange.response();
                response.status(HttpResponseStatus.OK);
                response.responseHeaders()
                    .set(HttpHeaderNames.CONTENT_TYPE, "application/x-ndjson")
                    .set(ProxyErrors.UPSTREAM_HEADER, FleetAnswers.hostsHeader(names(hosts)));
                List<FanOutStream.HostAnswer> ordered = new ArrayList<>(answers);
                ordered.sort(java.util.Comparator.comparingInt(a -> names(hosts).indexOf(a.host())));
                return response.send(FanOutStream.merge(operation, ordered), buffer -> true).then();
            })
            .then();
    }

    /** Whether a pull, push or create body asks for a stream (Ollama's default). */
    private boolean streams(byte[] body) {
        try {
            JsonNode node = json.readTree(body);
            JsonNode stream = node.path("stream");
            return !stream.isBoolean() || stream.booleanValue();
        }
        catch (RuntimeException ex) {
            // Ollama answers a body it cannot read with its own error, streamed or not
            return true;
        }
    }

    private void logFailures(String operation, ProxyExchange exchange, FleetAnswers.Answer merged) {
        if (merged.status() >= 400) {
            log.warn("{} {} on the fleet: {}", exchange.method(), exchange.path(), merged.text());
        }
        else {
            log.debug("{} succeeded on every healthy host", operation.toUpperCase(Locale.ROOT));
        }
    }

    Mono<Void> answer(ProxyExchange exchange, List<UpstreamCall> hosts, FleetAnswers.Answer answer) {
        HttpServerResponse response = exchange.response();
        response.status(HttpResponseStatus.valueOf(answer.status()));
        response.responseHeaders().set(ProxyErrors.UPSTREAM_HEADER, FleetAnswers.hostsHeader(names(hosts)));
        if (answer.body().length > 0) {
            response.responseHeaders().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        response.responseHeaders().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
        if (exchange.method().equals(HttpMethod.HEAD) || answer.body().length == 0) {
            return response.send().then();
        }
        return response.send(Mono.just(Unpooled.wrappedBuffer(answer.body()))).then();
    }

    Mono<Void> noHealthyHost(ProxyExchange exchange) {
        return errors.respond(exchange.response(), HttpStatus.SERVICE_UNAVAILABLE,
                "keepwarm: no healthy Ollama host answers (hosts: " + String.join(", ", upstreams.names()) + ")", null,
                "Retry-After", "5");
    }

    private static List<String> names(List<UpstreamCall> hosts) {
        return hosts.stream().map(UpstreamCall::host).toList();
    }

}
