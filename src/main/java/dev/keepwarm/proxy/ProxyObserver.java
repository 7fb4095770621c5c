package dev.keepwarm.proxy;

import dev.keepwarm.policy.Action;
import io.netty.buffer.ByteBuf;

/**
 * Where the proxy reports what passes through it (the metrics package implements it).
 * Without such a bean nothing is recorded.
 */
public interface ProxyObserver {

    /** Records nothing. */
    ProxyObserver NONE = new ProxyObserver() {
        @Override
        public void decided(String model, Action action) {
        }

        @Override
        public Request observe(String model, String endpoint) {
            return Request.NONE;
        }
    };

    /** A keep_alive decision was taken for a request of the model. */
    void decided(String model, Action action);

    /**
     * A request for a model is about to be forwarded.
     * @param endpoint the {@code endpoint} tag: a {@link KeepAliveRoute}'s tag, or
     * {@code openai}
     */
    Request observe(String model, String endpoint);

    /**
     * A request for a model is about to be forwarded to the named host (on a fleet, its
     * meters carry the host).
     */
    default Request observe(String model, String endpoint, String host) {
        return observe(model, endpoint);
    }

    /**
     * A fleet sent a request to a host, for a reason: resident, placed, hashed (routing's
     * choice), named (the request's X-Keepwarm-Upstream) or retry (the preferred host
     * could not be reached).
     */
    default void routed(String host, String reason) {
    }

    /** One forwarded request as it passes. */
    interface Request {

        /** Observes nothing. */
        Request NONE = new Request() {
            @Override
            public void chunk(ByteBuf buffer) {
            }

            @Override
            public void finish(String status) {
            }
        };

        /**
         * A buffer of the response is passing to the client (it must not be retained or
         * released).
         */
        void chunk(ByteBuf buffer);

        /**
         * The response ended, once per request: {@code status} is the HTTP status code,
         * or {@code cancelled} or {@code error} when the response did not complete.
         */
        void finish(String status);

    }

}
