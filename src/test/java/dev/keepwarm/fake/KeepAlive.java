package dev.keepwarm.fake;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * keep_alive as Ollama's {@code api.Duration.UnmarshalJSON} reads it, and what a setting
 * means for expiry. See OLLAMA-API.md, "keep_alive in a request body".
 */
final class KeepAlive {

    /** Negative keep_alive: Ollama stores max int64 nanoseconds. */
    static final Duration FOREVER = LoadedModel.FOREVER;

    private KeepAlive() {
    }

    /**
     * The keep_alive of a request body field: empty when absent or null; a number is
     * seconds; a string is a Go duration; anything negative is {@link #FOREVER}.
     * @throws ApiError 400 with Ollama's message for strings Go cannot parse and for
     * other JSON types
     */
    static Optional<Duration> parse(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return Optional.empty();
        }
        if (value.isNumber()) {
            double seconds = value.doubleValue();
            if (seconds < 0) {
                return Optional.of(FOREVER);
            }
            double nanos = seconds * 1e9;
            // Go would overflow int64 here; saturating keeps the model resident, which is
            // what the client asked.
            return Optional.of(nanos >= Long.MAX_VALUE ? FOREVER : Duration.ofNanos((long) nanos));
        }
        if (value.isString()) {
            Duration parsed = GoDurations.parse(value.stringValue());
            return Optional.of(parsed.isNegative() ? FOREVER : parsed);
        }
        throw ApiError.badRequest("Unsupported type: '" + goTypeName(value) + "'");
    }

    /** A keep_alive setting from outside (OLLAMA_KEEP_ALIVE): negative is forever. */
    static Duration normalize(Duration setting) {
        return setting.isNegative() ? FOREVER : setting;
    }

    /** When a runner whose last request finished at {@code finished} expires. */
    static Instant expiry(Instant finished, Duration keepAlive) {
        return keepAlive.isNegative() ? finished.plusNanos(Long.MAX_VALUE) : finished.plus(keepAlive);
    }

    /** Orders settings for eviction: forever is the longest. */
    static long rank(Duration keepAlive) {
        return keepAlive.isNegative() ? Long.MAX_VALUE : saturatedNanos(keepAlive);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        }
        catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Go's reflect.TypeOf for what encoding/json decodes into {@code any}. */
    private static String goTypeName(JsonNode value) {
        if (value.isBoolean()) {
            return "bool";
        }
        if (value.isArray()) {
            return "[]interface {}";
        }
        if (value.isObject()) {
            return "map[string]interface {}";
        }
        return value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

}
