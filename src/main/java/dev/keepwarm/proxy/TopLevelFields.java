package dev.keepwarm.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.keepwarm.policy.ClientKeepAlive;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The top-level fields of a request body, read in one streaming pass without building a
 * tree: where each field's bytes are ({@link Span}), and what the few fields the policy
 * needs mean to Ollama. Names match the way Ollama's Go decoder matches them
 * (case-insensitively, the last match wins). Everything else, a 16 MiB base64 image
 * included, is skipped, and a rewrite ({@link BodySplice}) copies the client's bytes of
 * every untouched field as they came.
 */
final class TopLevelFields {

    /** The body's options field, as the last spelling of "options" has it. */
    enum Options {

        ABSENT, NULL, OBJECT, OTHER

    }

    private final JsonMapper json;

    private final byte[] body;

    private final List<Span> members = new ArrayList<>();

    private @Nullable String model;

    private ClientKeepAlive keepAlive = ClientKeepAlive.absent();

    private String keepAliveRaw = "unset";

    private boolean contentEmpty = true;

    private Options options = Options.ABSENT;

    private BodySplice.@Nullable OptionsObject optionsObject;

    private final Set<String> optionKeys = new HashSet<>();

    /** The options' num_ctx when it is a whole number, else 0. */
    private long numCtx;

    private TopLevelFields(JsonMapper json, byte[] body) {
        this.json = json;
        this.body = body;
    }

    /**
     * Reads a body that is one JSON object naming a model as a string; null for anything
     * else (malformed, too deep, not an object, trailing data, no model): such bodies go
     * to Ollama unchanged and Ollama answers them.
     * @param contentField the field whose emptiness makes a request a load or unload only
     * (prompt, messages, input)
     */
    static @Nullable TopLevelFields scan(JsonMapper json, byte[] body, @Nullable String contentField) {
        TopLevelFields fields = new TopLevelFields(json, body);
        try (JsonParser parser = json.createParser(body)) {
            return fields.read(parser, contentField) ? fields : null;
        }
        catch (JacksonException | IllegalArgumentException malformed) {
            return null;
        }
    }

    private boolean read(JsonParser parser, @Nullable String contentField) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return false;
        }
        boolean modelIsString = false;
        List<String> names = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            int start = offset(parser.currentTokenLocation().getByteOffset());
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equalsIgnoreCase("model")) {
                modelIsString = value == JsonToken.VALUE_STRING;
                model = modelIsString ? parser.getString() : null;
            }
            else if (name.equalsIgnoreCase(RequestRewriter.KEEP_ALIVE)) {
                readKeepAlive(parser, value);
            }
            else if (contentField != null && name.equalsIgnoreCase(contentField)) {
                contentEmpty = isEmpty(parser, value);
            }
            else if (name.equalsIgnoreCase(RequestRewriter.OPTIONS)) {
                readOptions(parser, value, starts.size());
            }
            else {
                parser.skipChildren();
            }
            names.add(name);
            starts.add(start);
        }
        if (parser.currentToken() != JsonToken.END_OBJECT) {
            return false;
        }
        int end = offset(parser.currentTokenLocation().getByteOffset());
        if (parser.nextToken() != null) {
            return false; // trailing data: Go's decoder refuses it, so does Ollama
        }
        for (int i = 0; i < starts.size(); i++) {
            members
                .add(Span.between(body, names.get(i), starts.get(i), i + 1 < starts.size() ? starts.get(i + 1) : end));
        }
        return modelIsString;
    }

    private void readKeepAlive(JsonParser parser, JsonToken value) {
        switch (value) {
            case VALUE_NULL -> {
                keepAlive = ClientKeepAlive.absent();
                keepAliveRaw = "unset";
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                keepAlive = ClientKeepAlive.ofNumber(parser.getDecimalValue());
                keepAliveRaw = parser.getText();
            }
            case VALUE_STRING -> {
                keepAliveRaw = parser.getString();
                keepAlive = ClientKeepAlive.ofString(keepAliveRaw);
            }
            default -> { // true, false, an object or an array: Ollama says "Unsupported
                         // type"
                if (value.isStructStart()) {
                    int valueStart = offset(parser.currentTokenLocation().getByteOffset());
                    parser.skipChildren();
                    int valueEnd = offset(parser.currentTokenLocation().getByteOffset()) + 1;
                    // compact, as a header value must be one line
                    keepAliveRaw = json
                        .readTree(new String(body, valueStart, valueEnd - valueStart, StandardCharsets.UTF_8))
                        .toString();
                }
                else {
                    keepAliveRaw = parser.getText();
                }
                keepAlive = ClientKeepAlive.invalid(keepAliveRaw);
            }
        }
    }

    /**
     * No prompt, no messages, no input: null, "", [] (with keep_alive 0 such a request
     * unloads the model).
     */
    private static boolean isEmpty(JsonParser parser, JsonToken value) {
        return switch (value) {
            case VALUE_NULL -> true;
            case VALUE_STRING -> parser.getStringLength() == 0;
            case START_ARRAY -> {
                boolean empty = parser.nextToken() == JsonToken.END_ARRAY;
                if (!empty) {
                    parser.skipChildren();
                    skipRestOfArray(parser);
                }
                yield empty;
            }
            default -> {
                parser.skipChildren();
                yield false;
            }
        };
    }

    /** After the first element of an array: to its end. */
    private static void skipRestOfArray(JsonParser parser) {
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            parser.skipChildren();
        }
    }

    private void readOptions(JsonParser parser, JsonToken value, int field) {
        optionsObject = null;
        optionKeys.clear();
        switch (value) {
            case VALUE_NULL -> options = Options.NULL;
            case START_OBJECT -> {
                options = Options.OBJECT;
                numCtx = 0;
                while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                    String key = parser.currentName();
                    optionKeys.add(key);
                    JsonToken option = parser.nextToken();
                    if ("num_ctx".equals(key)) {
                        numCtx = option == JsonToken.VALUE_NUMBER_INT ? parser.getLongValue() : 0;
                    }
                    parser.skipChildren();
                }
                int close = offset(parser.currentTokenLocation().getByteOffset());
                optionsObject = new BodySplice.OptionsObject(field, close, optionKeys.isEmpty());
            }
            default -> {
                options = Options.OTHER;
                parser.skipChildren();
            }
        }
    }

    /**
     * Offsets exist for the byte input a body is; a parser that has none (a UTF-16 body)
     * is refused.
     */
    private static int offset(long byteOffset) {
        if (byteOffset < 0) {
            throw new IllegalArgumentException("no byte offsets: not a UTF-8 body");
        }
        return (int) byteOffset;
    }

    @Nullable String model() {
        return model;
    }

    ClientKeepAlive keepAlive() {
        return keepAlive;
    }

    /**
     * What the client sent as keep_alive, for the X-Keepwarm-Keep-Alive header ("unset"
     * when nothing).
     */
    String keepAliveRaw() {
        return keepAliveRaw;
    }

    boolean contentEmpty() {
        return contentEmpty;
    }

    Options options() {
        return options;
    }

    boolean hasOption(String key) {
        return optionKeys.contains(key);
    }

    /** The request's options.num_ctx, 0 when it sets none (or not as a whole number). */
    long numCtx() {
        return options == Options.OBJECT ? numCtx : 0;
    }

    /**
     * The body with every spelling of the named fields left out, extra options added
     * inside the options object, and the given fields appended; every other byte as the
     * client sent it.
     * @param dropped names (compared without case) whose fields are left out
     * @param extraOptions {@code "key":value} members to add to the options object (null:
     * none)
     * @param appended {@code "name":value} members to add at the end of the object
     */
    byte[] rewrite(List<String> dropped, @Nullable String extraOptions, List<String> appended) {
        return new BodySplice(body, members, optionsObject).write(dropped, extraOptions, appended);
    }

}
