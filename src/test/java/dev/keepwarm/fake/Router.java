package dev.keepwarm.fake;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Entry point of every request: reads the whole body, records the request, applies
 * Ollama's Host check and any armed failure, then dispatches by method and path like gin
 * (anything unknown is {@code 404 page not found}). Watches the connection so that a
 * client going away is noticed even while nothing is being written.
 */
final class Router {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Router.class);

    private static final byte[] NO_BODY = new byte[0];

    private final Map<String, Function<Exchange, Mono<Void>>> routes = new HashMap<>();

    private final List<Map.Entry<String, Function<Exchange, Mono<Void>>>> prefixRoutes = new ArrayList<>();

    private final Settings settings;

    private final Journal journal;

    private final Faults faults;

    private final HostCheck hostCheck = new HostCheck();

    Router(Settings settings, Journal journal, Faults faults) {
        this.settings = settings;
        this.journal = journal;
        this.faults = faults;
    }

    /** Routes {@code method path} to {@code handler}. */
    Router on(String method, String path, Function<Exchange, Mono<Void>> handler) {
        routes.put(method + " " + path, handler);
        return this;
    }

    /** Routes {@code method} on every path below {@code prefix} to {@code handler}. */
    Router onPrefix(String method, String prefix, Function<Exchange, Mono<Void>> handler) {
        prefixRoutes.add(Map.entry(method + " " + prefix, handler));
        return this;
    }

    Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        long startNanos = System.nanoTime();
        AtomicReference<Channel> channel = new AtomicReference<>();
        response.withConnection(connection -> channel.set(connection.channel()));
        AtomicReference<Exchange> current = new AtomicReference<>();
        Mono<Void> answer = request.receive().aggregate().asByteArray().defaultIfEmpty(NO_BODY).flatMap(body -> {
            Received received = record(request, body);
            if (settings.recordRequests()) {
                journal.received(received);
            }
            Exchange exchange = new Exchange(response, channel.get(), received, startNanos, faults, journal);
            current.set(exchange);
            return answer(exchange);
        }).doFinally(signal -> {
            // doFinally runs after the cancel reached the handler, so leases and loads
            // are settled first.
            Exchange exchange = current.get();
            if (signal == SignalType.CANCEL && exchange != null) {
                exchange.disconnected();
            }
        });
        return answer.takeUntilOther(closed(channel.get()));
    }

    private Mono<Void> answer(Exchange exchange) {
        Received received = exchange.received();
        if (settings.requireLoopbackHost() && !hostCheck.allowed(received.header("host"))) {
            return exchange.empty(403);
        }
        if (faults.hangs(received.path())) {
            return Mono.never(); // the connection stays open; the client's own timeout is
                                 // all that ends it
        }
        Optional<Faults.Failure> failure = faults.takeFailure(received.path());
        if (failure.isPresent()) {
            return exchange.bytes(failure.get().status(), Exchange.JSON,
                    failure.get().jsonBody().getBytes(StandardCharsets.UTF_8));
        }
        Function<Exchange, Mono<Void>> handler = find(received.method(), received.path());
        if (handler == null) {
            return exchange.text(404, "text/plain", "404 page not found");
        }
        return Mono.defer(() -> handler.apply(exchange)).onErrorResume(e -> !exchange.headersSent(), e -> {
            if (e instanceof ApiError api) {
                return exchange.error(api.status(), api.getMessage());
            }
            // a bug of the fake itself (or a blocking call BlockHound caught in it): the
            // test sees a 500, the log
            // says where it came from
            log.warn("fake ollama failed on {} {}", received.method(), received.path(), e);
            return exchange.error(500, String.valueOf(e));
        });
    }

    private Function<Exchange, Mono<Void>> find(String method, String path) {
        Function<Exchange, Mono<Void>> exact = routes.get(method + " " + path);
        if (exact != null) {
            return exact;
        }
        String key = method + " " + path;
        return prefixRoutes.stream()
            .filter(e -> key.startsWith(e.getKey()) && key.length() > e.getKey().length())
            .map(Map.Entry::getValue)
            .findFirst()
            .orElse(null);
    }

    private static Received record(HttpServerRequest request, byte[] body) {
        String target = request.uri();
        if (target.startsWith("http://") || target.startsWith("https://")) {
            int slash = target.indexOf('/', target.indexOf("//") + 2);
            target = slash < 0 ? "/" : target.substring(slash);
        }
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? "" : target.substring(q + 1);
        Map<String, List<String>> headers = new HashMap<>();
        request.requestHeaders()
            .forEach(h -> headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .add(h.getValue()));
        return new Received(request.method().name(), path, query, headers, body);
    }

    /** Completes when the TCP connection closes; stops listening when unsubscribed. */
    private static Mono<Void> closed(Channel channel) {
        return Mono.create(sink -> {
            ChannelFutureListener listener = future -> sink.success();
            channel.closeFuture().addListener(listener);
            sink.onDispose(() -> channel.closeFuture().removeListener(listener));
        });
    }

}
