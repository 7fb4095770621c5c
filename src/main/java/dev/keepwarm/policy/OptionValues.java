package dev.keepwarm.policy;

import java.util.Locale;

/**
 * Types a configured option value the way Ollama expects it in JSON: numbers and booleans
 * are not strings.
 */
public final class OptionValues {

    private OptionValues() {
    }

    /**
     * {@code "8192"} -> 8192 (Long), {@code "0.7"} -> BigDecimal, {@code "true"} ->
     * Boolean, anything else the String.
     */
    public static Object typed(String value) {
        String v = value.strip();
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.equals("true") || lower.equals("false")) {
            return Boolean.valueOf(lower);
        }
        if (v.matches("[+-]?\\d{1,18}")) {
            return Long.valueOf(v);
        }
        return KeepAlive.number(v).<Object>map(n -> n).orElse(value);
    }

}
