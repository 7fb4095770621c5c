package dev.keepwarm.policy;

import java.util.Locale;

/** What the decision did to a request's keep_alive: a bounded set, used as a header value and a metric tag. */
public enum Action {
    OVERRIDE, FILL, CLAMP,
    /** No rule and no default matched: the body is forwarded byte for byte. */
    PASS,
    /** An explicit unload of a model whose rule forbids it: answered 409 without contacting Ollama. */
    UNLOAD_REFUSED;

    /** Lower-case name, as shown in headers and metric tags. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
