package dev.keepwarm.proxy;

import reactor.core.publisher.Mono;

/**
 * What the proxy asks of whoever keeps models resident (the warmer implements it): the
 * proxy knows routes and bytes, the guard knows which models must stay warm. Without such
 * a bean nothing is added around a request.
 */
public interface ResidencyGuard {

    /** Adds nothing: no warmer runs. */
    ResidencyGuard NONE = new ResidencyGuard() {
        @Override
        public Mono<Void> aroundKeepAliveDroppingRequest(String host, String model, Mono<Void> forward) {
            return forward;
        }

        @Override
        public void clientLeftBeforeResponse(String host, String model) {
        }
    };

    /**
     * Around a request on an OpenAI- or Anthropic-compatible route, which drops
     * keep_alive (OLLAMA-API.md, "OpenAI- and Anthropic-compatible routes drop
     * keep_alive"): a model that must stay warm is made resident with its pinned
     * keep-alive on the host the request goes to before {@code forward} is subscribed,
     * and its pin is checked after the answer.
     */
    Mono<Void> aroundKeepAliveDroppingRequest(String host, String model, Mono<Void> forward);

    /**
     * The client of a native request left before Ollama's response headers, perhaps
     * during a load, which Ollama then aborts (issue #7408): a model that must stay warm
     * gets its load finished for the client's retry.
     */
    void clientLeftBeforeResponse(String host, String model);

}
