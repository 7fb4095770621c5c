package dev.keepwarm.proxy;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * What a {@link FanOutStream} needs of one NDJSON line a host sent: its top-level
 * {@code status} and {@code error}, and whether it has no member at all. Read with a
 * streaming parser, without building a tree: the line's bytes go on as they are.
 *
 * @param status the top-level status when it is a string ("success" ends a pull)
 * @param error the top-level error's message (OLLAMA-API.md, Errors: an error after the
 * stream began is a last line {"error":".."})
 * @param empty whether the object has no member
 */
record ProgressLine(@Nullable String status, @Nullable String error, boolean empty) {

    private static final JsonFactory JSON = new JsonFactory();

    /** Null unless the bytes are exactly one JSON object. */
    static @Nullable ProgressLine parse(byte[] raw, int from, int to) {
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), raw, from, to - from)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String status = null;
            String error = null;
            int members = 0;
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                members++;
                if (name.equals("status") && value == JsonToken.VALUE_STRING) {
                    status = parser.getString();
                }
                else if (name.equals("error") && value != JsonToken.VALUE_NULL) {
                    error = (value == JsonToken.VALUE_STRING) ? parser.getString() : "unreadable error line";
                }
                parser.skipChildren();
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return null;
            }
            return new ProgressLine(status, error, members == 0);
        }
        catch (JacksonException malformed) {
            return null;
        }
    }

}
