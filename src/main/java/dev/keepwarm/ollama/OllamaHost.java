package dev.keepwarm.ollama;

import java.net.URI;
import java.util.OptionalLong;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * One Ollama host: its name (the {@code upstream} tag and {@code X-Keepwarm-Upstream}
 * value), its connection and typed client with the host's own circuit breaker, and what
 * placement may fill there.
 *
 * @param name {@link UpstreamProperties#DEFAULT_HOST} for the one host of a single-host
 * keepwarm
 * @param connection the proxy's and warmer's connection to it
 * @param client the warmer's typed calls, behind the host's circuit breaker
 * @param memory the bytes of pinned models placement may place there; empty: no limit
 * @param maxLoaded most pinned models placement may place there
 * @param discovered whether DNS discovery found it (it goes when it leaves DNS)
 */
public record OllamaHost(String name, OllamaConnection connection, OllamaClient client, OptionalLong memory,
        int maxLoaded, boolean discovered) {

    /** The host's URL. */
    public URI url() {
        return connection.url();
    }

    /** The host's circuit breaker: open while it fails. */
    public CircuitBreaker breaker() {
        return client.breaker();
    }

    /**
     * Whether requests may go there: its breaker is closed. A host that failed counts as
     * healthy again once the half-open probe succeeded and the breaker closed.
     */
    public boolean breakerClosed() {
        CircuitBreaker.State state = breaker().getState();
        return state != CircuitBreaker.State.OPEN && state != CircuitBreaker.State.HALF_OPEN
                && state != CircuitBreaker.State.FORCED_OPEN;
    }

}
