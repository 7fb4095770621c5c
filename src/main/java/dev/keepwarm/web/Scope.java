package dev.keepwarm.web;

/** What an API key may do on the proxy port ({@code keepwarm.security.api-keys[n].scopes}). */
public enum Scope {

    /** Every proxied request: generate, chat, embed, tags, ps, show, /v1, ... */
    INFERENCE,

    /** Ollama's admin routes (pull, push, create, copy, delete, blobs); implies inference. */
    ADMIN;

    /** Whether a key holding this scope may do what {@code needed} allows. */
    boolean grants(Scope needed) {
        return this == needed || this == ADMIN;
    }

    /** The value as written in configuration. */
    String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
