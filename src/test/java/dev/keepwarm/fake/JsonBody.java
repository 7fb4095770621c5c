package dev.keepwarm.fake;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A request body decoded the way gin's {@code ShouldBindJSON} decodes it into one of
 * Ollama's request structs: blank body is "missing request body", field names match
 * case-insensitively (the last match wins), and a field of the wrong JSON type fails with
 * Go's {@code json: cannot unmarshal ...} message.
 */
final class JsonBody {

    private final ObjectNode node;

    private final String goStruct;

    private JsonBody(ObjectNode node, String goStruct) {
        this.node = node;
        this.goStruct = goStruct;
    }

    /**
     * Decodes {@code body} into the Go struct named {@code goStruct} (e.g.
     * {@code api.GenerateRequest}).
     * @throws ApiError 400 with Ollama's message when Ollama would refuse the body
     */
    static JsonBody decode(byte[] body, String goStruct) {
        return decode(body, goStruct, "missing request body");
    }

    /**
     * As {@link #decode(byte[], String)}, with the message for a blank body ("EOF" where
     * Ollama does not map it).
     */
    static JsonBody decode(byte[] body, String goStruct, String blankBodyMessage) {
        if (isBlank(body)) {
            throw ApiError.badRequest(blankBodyMessage);
        }
        Optional<String> syntaxError = GoJsonSyntax.check(body);
        if (syntaxError.isPresent()) {
            throw ApiError.badRequest(syntaxError.get());
        }
        // Go replaces invalid UTF-8 in strings rather than failing, and so does decoding
        // with replacement here.
        JsonNode parsed;
        try {
            parsed = Json.MAPPER.readTree(new String(body, StandardCharsets.UTF_8));
        }
        catch (JacksonException e) {
            throw ApiError.badRequest(e.getOriginalMessage());
        }
        if (parsed == null || parsed.isNull() || parsed.isMissingNode()) {
            return new JsonBody(Json.object(), goStruct);
        }
        if (!parsed.isObject()) {
            throw ApiError
                .badRequest("json: cannot unmarshal " + goKind(parsed) + " into Go value of type " + goStruct);
        }
        return new JsonBody((ObjectNode) parsed, goStruct);
    }

    /** The raw value of a field, or {@code null} when absent. */
    JsonNode field(String name) {
        JsonNode found = null;
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                found = e.getValue();
            }
        }
        return found;
    }

    /** A string field; absent or null is "". */
    String string(String name) {
        JsonNode value = field(name);
        if (value == null || value.isNull()) {
            return "";
        }
        requireKind(value.isString(), value, name, "string");
        return value.stringValue();
    }

    /** A bool field; absent or null is {@code null}. */
    Boolean bool(String name) {
        JsonNode value = field(name);
        if (value == null || value.isNull()) {
            return null;
        }
        requireKind(value.isBoolean(), value, name, "bool");
        return value.booleanValue();
    }

    /** An array of objects (Go structs); absent or null is an empty array. */
    ArrayNode objects(String name, String goElementType) {
        JsonNode value = field(name);
        if (value == null || value.isNull()) {
            return Json.array();
        }
        requireKind(value.isArray(), value, name, "[]" + goElementType);
        for (JsonNode element : value) {
            requireKind(element.isObject() || element.isNull(), element, name, goElementType);
        }
        return (ArrayNode) value;
    }

    /** An object field; absent or null is {@code null}. */
    ObjectNode object(String name, String goType) {
        JsonNode value = field(name);
        if (value == null || value.isNull()) {
            return null;
        }
        requireKind(value.isObject(), value, name, goType);
        return (ObjectNode) value;
    }

    private void requireKind(boolean ok, JsonNode value, String name, String goType) {
        if (!ok) {
            throw ApiError.badRequest("json: cannot unmarshal " + goKind(value) + " into Go struct field "
                    + goStruct.substring(goStruct.indexOf('.') + 1) + "." + name + " of type " + goType);
        }
    }

    /** The JSON kind as Go's UnmarshalTypeError names it. */
    static String goKind(JsonNode value) {
        if (value.isNumber()) {
            return "number";
        }
        if (value.isBoolean()) {
            return "bool";
        }
        if (value.isString()) {
            return "string";
        }
        return value.isArray() ? "array" : "object";
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

}
