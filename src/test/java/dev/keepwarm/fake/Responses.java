package dev.keepwarm.fake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Locale;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Builds Ollama's native response objects, field for field in Ollama's order. */
final class Responses {

    private final Clock clock;

    Responses(Clock clock) {
        this.clock = clock;
    }

    /** A streamed chunk carrying one token. */
    ObjectNode chunk(Endpoint endpoint, String model, String token) {
        ObjectNode chunk = head(model);
        endpoint.putContent(chunk, token);
        return chunk.put("done", false);
    }

    /** A final object without metrics: load and unload answers. */
    ObjectNode done(Endpoint endpoint, String model, String reason) {
        ObjectNode done = head(model);
        endpoint.putContent(done, "");
        return done.put("done", true).put("done_reason", reason);
    }

    /**
     * The final chunk of a generation (or the whole answer when not streaming) with its
     * metrics.
     */
    ObjectNode finished(Endpoint endpoint, String model, String text, Timings timings) {
        ObjectNode done = head(model);
        endpoint.putContent(done, text);
        done.put("done", true).put("done_reason", "stop");
        if (endpoint == Endpoint.GENERATE) {
            ArrayNode context = done.putArray("context");
            for (int i = 1; i <= timings.promptEvalCount() + timings.evalCount(); i++) {
                context.add(i);
            }
        }
        return timings.putInto(done);
    }

    /** The {@code details} object of /api/tags, /api/ps and /api/show. */
    static ObjectNode details(ModelSpec spec) {
        String family = spec.embedding() ? "nomic-bert" : "llama";
        ObjectNode details = Json.object().put("parent_model", "").put("format", "gguf").put("family", family);
        details.putArray("families").add(family);
        return details.put("parameter_size", parameterSize(spec))
            .put("quantization_level", spec.embedding() ? "F16" : "Q4_K_M");
    }

    /** A stable sha256 digest per model name. */
    static String digest(ModelSpec spec) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                .digest(ModelNames.key(spec.name()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Go's %q for a plain string. */
    static String quoted(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private ObjectNode head(String model) {
        return Json.object().put("model", model).put("created_at", Json.utc(clock.instant()));
    }

    private static String parameterSize(ModelSpec spec) {
        double parameters = spec.embedding() ? spec.sizeBytes() / 2.0 : spec.sizeBytes() / 0.63;
        return parameters >= 1e9 ? String.format(Locale.ROOT, "%.1fB", parameters / 1e9)
                : String.format(Locale.ROOT, "%.0fM", parameters / 1e6);
    }

}
