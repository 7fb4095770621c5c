package dev.keepwarm.policy;

/**
 * What the decision did to a request's keep_alive: a bounded set, used as a header value
 * and a metric tag.
 */
public enum Action implements Tagged {

    OVERRIDE, FILL, CLAMP,
    /** The keep-alive adaptive mode learned for the model (or its learning value). */
    ADAPTIVE,
    /** No rule and no default matched: the body is forwarded byte for byte. */
    PASS,
    /**
     * An explicit unload of a model whose rule forbids it: answered 409 without
     * contacting Ollama.
     */
    UNLOAD_REFUSED

}
