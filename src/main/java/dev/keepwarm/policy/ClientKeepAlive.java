package dev.keepwarm.policy;

import java.math.BigDecimal;

/**
 * What a client put in a request's keep_alive field, classified the way Ollama would read
 * it (OLLAMA-API.md, "keep_alive in a request body"). Built by the proxy from JSON; knows
 * no JSON itself.
 */
public sealed interface ClientKeepAlive {

    /**
     * Absent or null: Ollama keeps the model's current setting (or uses its default on
     * load).
     */
    record Absent() implements ClientKeepAlive {
    }

    /** A value Ollama accepts: a JSON number or a Go duration string. */
    record Valid(KeepAlive value) implements ClientKeepAlive {
    }

    /**
     * A bare number in a string ("-1", "300"): Ollama rejects it with 400, keepwarm
     * repairs it.
     */
    record NumericString(String raw, KeepAlive value) implements ClientKeepAlive {
    }

    /**
     * Anything else ("abc", true, [], {}): forwarded untouched where the client's value
     * stands, so Ollama's 400 reaches the client.
     */
    record Invalid(String raw) implements ClientKeepAlive {
    }

    static ClientKeepAlive absent() {
        return new Absent();
    }

    static ClientKeepAlive ofNumber(BigDecimal seconds) {
        return new Valid(KeepAlive.ofSeconds(seconds));
    }

    static ClientKeepAlive ofString(String text) {
        var duration = KeepAlive.parseGoDuration(text);
        if (duration.isPresent()) {
            return new Valid(duration.get());
        }
        return KeepAlive.number(text.strip())
            .<ClientKeepAlive>map(n -> new NumericString(text, KeepAlive.ofSeconds(n)))
            .orElseGet(() -> new Invalid(text));
    }

    static ClientKeepAlive invalid(String raw) {
        return new Invalid(raw);
    }

}
