package dev.keepwarm.proxy;

import java.util.List;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpMethod;

/**
 * Decides, before anything else happens to a request on the proxy port, whether it may
 * reach Ollama at all (API keys and admin routes live in the web package and implement
 * this). Without such a bean every request passes.
 */
@FunctionalInterface
public interface ProxyGate {

    /**
     * Lets everything through, with its Authorization header: no keepwarm keys are
     * configured.
     */
    ProxyGate OPEN = (method, path, authorization, client) -> Admission.PASS;

    /**
     * @param path the raw path, without the query
     * @param authorization the request's Authorization header values
     * @param client who asked, for logs: the peer, or behind
     * keepwarm.proxy.trusted-proxies the client they name; never a forwarded header of an
     * untrusted peer. Computed on call (a refusal), null without an IP peer
     */
    Admission admit(HttpMethod method, String path, List<String> authorization, Supplier<@Nullable String> client);

    /**
     * The gate's answer.
     *
     * @param passes whether the request goes on to Ollama
     * @param dropAuthorization whether its Authorization header (a keepwarm key) is
     * removed before it does
     * @param status the HTTP status of a refusal
     * @param message the {@code error} of a refusal, in Ollama's shape
     * @param challenge the WWW-Authenticate header of a refusal, or null
     */
    record Admission(boolean passes, boolean dropAuthorization, int status, @Nullable String message,
            @Nullable String challenge) {

        public static final Admission PASS = new Admission(true, false, 0, null, null);

        /** Passes without the keepwarm key that let it through. */
        public static final Admission PASS_WITHOUT_KEY = new Admission(true, true, 0, null, null);

        public static Admission refuse(int status, String message, @Nullable String challenge) {
            return new Admission(false, false, status, message, challenge);
        }
    }

}
