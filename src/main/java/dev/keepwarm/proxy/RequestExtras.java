package dev.keepwarm.proxy;

import org.jspecify.annotations.Nullable;

/**
 * What keepwarm adds around one forwarded request.
 *
 * @param keepAliveHeader value of X-Keepwarm-Keep-Alive for the response, or null
 * @param clientLeftEarly run when the client goes away before Ollama's response headers
 * (a load may be aborted)
 * @param observation the request's meters ({@link ProxyObserver.Request#NONE} for
 * requests that name no model)
 */
record RequestExtras(@Nullable String keepAliveHeader, @Nullable Runnable clientLeftEarly,
        ProxyObserver.Request observation) {

    static final RequestExtras NONE = new RequestExtras(null, null, ProxyObserver.Request.NONE);

    void finished(String status) {
        observation.finish(status);
    }

    /**
     * The request's meters, and adaptive mode told when it ended (after the meters, so
     * that what it plans next never delays them).
     */
    static ProxyObserver.Request advised(ProxyObserver.Request observation, KeepAliveAdvisor.Advice advice) {
        if (advice == KeepAliveAdvisor.Advice.NONE) {
            return observation;
        }
        return new ProxyObserver.Request() {
            @Override
            public void chunk(io.netty.buffer.ByteBuf buffer) {
                observation.chunk(buffer);
            }

            @Override
            public void finish(String status) {
                try {
                    observation.finish(status);
                }
                finally {
                    advice.ended(status);
                }
            }
        };
    }
}
