package dev.keepwarm.proxy;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * How a response body is framed, which decides flushing and how a broken stream is
 * reported: Ollama's native streams end a failure with an {@code {"error":...}} line
 * (OLLAMA-API.md, "Errors"), the OpenAI-compatible ones with an SSE event carrying an
 * OpenAI-shaped error.
 */
enum StreamKind {

    NDJSON, SSE, OTHER;

    /**
     * The kind of a Content-Type header value: its media type, before any parameter,
     * compared without case ({@code application/x-ndjson; charset=utf-8} is NDJSON too:
     * SCG PR #3969).
     */
    static StreamKind of(@Nullable String contentType) {
        if (contentType == null) {
            return OTHER;
        }
        int end = contentType.indexOf(';');
        String type = (end < 0 ? contentType : contentType.substring(0, end)).strip();
        if (type.equalsIgnoreCase("application/x-ndjson") || type.equalsIgnoreCase("application/ndjson")) {
            return NDJSON;
        }
        if (type.equalsIgnoreCase("text/event-stream")) {
            return SSE;
        }
        return OTHER;
    }

    /**
     * Streams are flushed chunk by chunk so tokens reach the client as Ollama writes
     * them.
     */
    boolean flushEachChunk() {
        return this != OTHER;
    }

    /**
     * The bytes that tell a client a stream broke, or null where the format has no such
     * convention.
     * @param errorJson {@code {"error":"..."}}
     * @param message the bare message, for the OpenAI shape
     * @param atLineStart whether the bytes sent so far end with a newline
     */
    byte @Nullable [] failure(String errorJson, String messageJson, boolean atLineStart) {
        String prefix = atLineStart ? "" : "\n";
        return switch (this) {
            case NDJSON -> (prefix + errorJson + "\n").getBytes(StandardCharsets.UTF_8);
            case SSE -> (prefix + "\ndata: {\"error\":{\"message\":" + messageJson
                    + ",\"type\":\"api_error\",\"param\":null,\"code\":null}}\n\n")
                .getBytes(StandardCharsets.UTF_8);
            case OTHER -> null;
        };
    }

}
