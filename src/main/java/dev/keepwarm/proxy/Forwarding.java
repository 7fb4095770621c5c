package dev.keepwarm.proxy;

import dev.keepwarm.metrics.RequestObservation;
import org.jspecify.annotations.Nullable;

/**
 * What keepwarm adds around one forwarded request.
 *
 * @param keepAliveHeader value of X-Keepwarm-Keep-Alive for the response, or null
 * @param clientLeftEarly run when the client goes away before Ollama's response headers (the load shield)
 * @param observation the request's meters, or null for requests that name no model
 */
record Forwarding(@Nullable String keepAliveHeader, @Nullable Runnable clientLeftEarly,
        @Nullable RequestObservation observation) {

    static final Forwarding PLAIN = new Forwarding(null, null, null);

    void finished(String status) {
        if (observation != null) {
            observation.finish(status);
        }
    }
}
