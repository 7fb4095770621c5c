package dev.keepwarm.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import org.jspecify.annotations.Nullable;

/**
 * Where the proxy's requests become spans of a trace (the metrics package implements it
 * with Micrometer Tracing when spans are exported). Without such a bean nothing is traced
 * and a client's {@code traceparent} goes on to Ollama unchanged, like any other header.
 */
public interface ProxyTracer {

    /** Traces nothing. */
    ProxyTracer NONE = (method, path, headers) -> Trace.NONE;

    /**
     * A request arrived on the proxy port: its span starts, in the client's trace when
     * its headers carry one (W3C {@code traceparent}).
     * @param method the request's method
     * @param path the request's path, without the query
     * @param headers the client's request headers
     */
    Trace start(String method, String path, HttpHeaders headers);

    /**
     * One request's span, told what keepwarm did with the request. Called on event loops:
     * nothing blocks.
     */
    interface Trace {

        /** Records nothing, propagates nothing. */
        Trace NONE = new Trace() {
            @Override
            public void model(String model, String endpoint) {
            }

            @Override
            public void decided(String action, String keepAlive, String rule) {
            }

            @Override
            public void host(String host, @Nullable String reason) {
            }

            @Override
            public void propagate(HttpHeaders upstream) {
            }

            @Override
            public ProxyObserver.Request observing(ProxyObserver.Request request) {
                return request;
            }

            @Override
            public void end(int status, @Nullable String outcome) {
            }

            @Override
            public @Nullable String traceId() {
                return null;
            }
        };

        /**
         * The request is for the model, on the endpoint ({@link KeepAliveRoute}'s tag, or
         * {@code openai}).
         */
        void model(String model, String endpoint);

        /**
         * The keep_alive decision: its action tag, the keep_alive sent to Ollama, and the
         * rule that decided it.
         */
        void decided(String action, String keepAlive, String rule);

        /**
         * The request goes to the host, for the routing reason (null for a single host);
         * a later call is a failover to the next host.
         */
        void host(String host, @Nullable String reason);

        /**
         * Puts this span's trace context in the headers of the request to Ollama, in
         * place of the client's.
         */
        void propagate(HttpHeaders upstream);

        /**
         * The request's observation, also telling this span of its first chunk and of
         * Ollama's final numbers.
         */
        ProxyObserver.Request observing(ProxyObserver.Request request);

        /**
         * The response ended, once: its status, and {@code cancelled} or {@code error}
         * when it did not complete (else null).
         */
        void end(int status, @Nullable String outcome);

        /**
         * The trace's id, for log lines that a trace backend links to the trace; null
         * when nothing is traced.
         */
        @Nullable String traceId();

    }

}
