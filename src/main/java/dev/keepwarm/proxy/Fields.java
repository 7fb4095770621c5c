package dev.keepwarm.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Top-level fields read the way Ollama's Go decoder reads them: names match case-insensitively and the last
 * match wins, so {@code "Keep_Alive"} after {@code "keep_alive"} is the one Ollama uses.
 */
final class Fields {

    private Fields() {
    }

    /** The value Ollama would decode for the field, or null. */
    static @Nullable JsonNode get(ObjectNode object, String name) {
        JsonNode found = null;
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (field.getKey().equalsIgnoreCase(name)) {
                found = field.getValue();
            }
        }
        return found;
    }

    /** Replaces every spelling of the field with one {@code name} carrying the value. */
    static void set(ObjectNode object, String name, JsonNode value) {
        List<String> spellings = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (field.getKey().equalsIgnoreCase(name) && !field.getKey().equals(name)) {
                spellings.add(field.getKey());
            }
        }
        object.remove(spellings);
        object.set(name, value);
    }
}
