package dev.keepwarm.access;

import dev.keepwarm.policy.Tagged;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;

/** What the proxy port does with one request, before it reaches the proxy. */
sealed interface Verdict {

    /**
     * The request goes on to Ollama.
     *
     * @param keyName the name of the keepwarm key the request carried (its Authorization
     * header is then removed), or null when no keys are configured (the header, if any,
     * is Ollama's business)
     */
    record Pass(@Nullable String keyName) implements Verdict {
    }

    /**
     * The request is answered by keepwarm and never reaches Ollama.
     *
     * @param status 401 or 403
     * @param reason the {@code reason} tag of keepwarm_auth_failures_total
     * @param message the {@code error} of Ollama's error shape
     * @param challenge the WWW-Authenticate header (RFC 6750), or null
     */
    record Refuse(HttpStatus status, Reason reason, String message, @Nullable String challenge) implements Verdict {
    }

    /** Why a request was refused; a fixed set, so the metric's tag is bounded. */
    enum Reason implements Tagged {

        /** no bearer token */
        MISSING,
        /** a token that is no configured key */
        INVALID,
        /** a valid key without the scope the route needs */
        SCOPE,
        /** an admin route refused by admin-routes (deny, or admin-scope without keys) */
        ADMIN_DENIED

    }

}
