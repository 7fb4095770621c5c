package dev.keepwarm.access;

import dev.keepwarm.policy.Tagged;

/**
 * What an API key may do on the proxy port
 * ({@code keepwarm.security.api-keys[n].scopes}).
 */
public enum Scope implements Tagged {

    /** Every proxied request: generate, chat, embed, tags, ps, show, /v1, ... */
    INFERENCE,

    /**
     * Ollama's admin routes (pull, push, create, copy, delete, blobs); implies inference.
     */
    ADMIN;

    /** Whether a key holding this scope may do what {@code needed} allows. */
    boolean grants(Scope needed) {
        return this == needed || this == ADMIN;
    }

}
