package dev.keepwarm.proxy;

import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.Policy;
import org.jspecify.annotations.Nullable;

/**
 * What the proxy asks of whoever learns models' idle times (the warmer implements it) for
 * a request whose policy is in mode adaptive: the keep_alive to send, and when the
 * request ended. Without such a bean the policy's keep-alive is sent and nothing is
 * learned.
 */
public interface KeepAliveAdvisor {

    /** Learns nothing: the policy's keep-alive. */
    KeepAliveAdvisor NONE = (model, policy) -> Advice.NONE;

    /**
     * A request that uses the model starts (not an explicit unload); called once per
     * request, on the event loop: must not block.
     * @param model the model as the client named it
     * @param policy the governing policy, in mode adaptive
     */
    Advice started(String model, Policy policy);

    /** The advice for one request. */
    interface Advice {

        /** The policy's keep-alive, and nothing learned when the request ends. */
        Advice NONE = new Advice() {
            @Override
            public @Nullable KeepAlive keepAlive() {
                return null;
            }

            @Override
            public void ended(String status) {
            }
        };

        /** The keep_alive to send; null sends the policy's. */
        @Nullable KeepAlive keepAlive();

        /**
         * The request's response ended, once: {@code status} as
         * {@link ProxyObserver.Request#finish(String)} has it (an HTTP status code,
         * {@code cancelled} or {@code error}), also when it never reached Ollama.
         */
        void ended(String status);

    }

}
