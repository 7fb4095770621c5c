package dev.keepwarm.proxy;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

import org.springframework.http.MediaType;

/**
 * How a response body is framed, which decides flushing and how a broken stream is reported: Ollama's native
 * streams end a failure with an {@code {"error":...}} line (OLLAMA-API.md, "Errors"), the OpenAI-compatible ones
 * with an SSE event carrying an OpenAI-shaped error.
 */
enum StreamKind {
    NDJSON, SSE, OTHER;

    private static final MediaType NDJSON_TYPE = MediaType.APPLICATION_NDJSON;

    static StreamKind of(@Nullable MediaType type) {
        if (type == null) {
            return OTHER;
        }
        // isCompatibleWith, not equals: "application/x-ndjson; charset=utf-8" must match too (SCG PR #3969)
        if (NDJSON_TYPE.isCompatibleWith(type) || new MediaType("application", "x-ndjson").isCompatibleWith(type)) {
            return NDJSON;
        }
        if (MediaType.TEXT_EVENT_STREAM.isCompatibleWith(type)) {
            return SSE;
        }
        return OTHER;
    }

    /** Streams are flushed chunk by chunk so tokens reach the client as Ollama writes them. */
    boolean flushEachChunk() {
        return this != OTHER;
    }

    /**
     * The bytes that tell a client a stream broke, or null where the format has no such convention.
     *
     * @param errorJson {@code {"error":"..."}}
     * @param message the bare message, for the OpenAI shape
     * @param atLineStart whether the bytes sent so far end with a newline
     */
    byte @Nullable [] failure(String errorJson, String messageJson, boolean atLineStart) {
        String prefix = atLineStart ? "" : "\n";
        return switch (this) {
            case NDJSON -> (prefix + errorJson + "\n").getBytes(StandardCharsets.UTF_8);
            case SSE -> (prefix + "\ndata: {\"error\":{\"message\":" + messageJson
                    + ",\"type\":\"api_error\",\"param\":null,\"code\":null}}\n\n").getBytes(StandardCharsets.UTF_8);
            case OTHER -> null;
        };
    }
}
