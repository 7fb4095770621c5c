package dev.keepwarm.proxy;

import org.springframework.http.HttpMethod;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The routes of a fleet that name no model in a way the keep-alive routes do: the answers
 * about the whole fleet (/api/tags, /api/ps, /api/version), /api/show (to a host that has
 * the model) and the state-changing routes that apply to every healthy host (pull,
 * delete, copy, create, push, blobs).
 */
final class FleetRoutes {

    /**
     * Sends a request naming a model to the hosts routing chose for it:
     * {@code (exchange, model) -> forwarded}.
     */
    interface ModelForward {

        Mono<Void> forward(ProxyExchange exchange, @Nullable String model, byte[] body, @Nullable String named);

    }

    private final BodyReader bodies;

    private final RequestRewriter rewriter;

    private final ModelForward toModel;

    FleetRoutes(BodyReader bodies, RequestRewriter rewriter, ModelForward toModel) {
        this.bodies = bodies;
        this.rewriter = rewriter;
        this.toModel = toModel;
    }

    /** The fleet's handling of the request, or null: it passes through to one host. */
    @Nullable Mono<Void> route(ProxyExchange exchange, @Nullable String named) {
        HttpMethod method = exchange.method();
        String path = exchange.path();
        if (method.equals(HttpMethod.POST) && path.equals("/api/show")) {
            return bodies.read(exchange,
                    body -> toModel.forward(exchange, rewriter.model(body).orElse(null), body, named));
        }
        return null;
    }

}
