package dev.keepwarm.proxy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.keepwarm.policy.ClientKeepAlive;
import dev.keepwarm.policy.Decision;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.KeepAliveDecision;
import dev.keepwarm.policy.OptionValues;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.policy.Policy;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The test oracle for {@link RequestRewriter}: its first implementation, which parsed the
 * whole body into a Jackson tree, edited it, and wrote it again. Slow on large bodies,
 * but simple enough to trust; the streaming rewriter must decide and send the same thing.
 */
final class TreeRewriter {

    static final String KEEP_ALIVE = "keep_alive";
    static final String OPTIONS = "options";

    private final PolicySource policies;

    private final Clock clock;

    private final JsonMapper json;

    TreeRewriter(PolicySource policies, Clock clock, JsonMapper json) {
        this.policies = policies;
        this.clock = clock;
        this.json = json;
    }

    RequestRewriter.Rewrite rewrite(KeepAliveRoute endpoint, byte[] body) {
        Optional<ObjectNode> parsed = parse(body);
        if (parsed.isEmpty()) {
            // not a JSON object with a model: Ollama's own 400 is the clear answer
            return RequestRewriter.Rewrite.untouched(body);
        }
        ObjectNode request = parsed.get();
        String model = Fields.get(request, "model").stringValue();
        Policy policy = policies.current().forModel(model, clock.instant()).orElse(null);
        JsonNode clientValue = Fields.get(request, KEEP_ALIVE);
        Decision decision = KeepAliveDecision.decide(model, policy, classify(clientValue),
                isEmpty(Fields.get(request, endpoint.contentField())));
        String sent = decision.send().map(KeepAlive::toString).orElseGet(() -> raw(clientValue));
        if (decision.refused()) {
            return new RequestRewriter.Rewrite(body, model, decision, sent);
        }
        boolean changed = false;
        if (decision.send().isPresent()) {
            Fields.set(request, KEEP_ALIVE, json.readTree(decision.send().get().toJson()));
            changed = true;
        }
        if (policy != null) {
            changed |= fillOptions(request, policy.options());
        }
        return new RequestRewriter.Rewrite(changed ? json.writeValueAsBytes(request) : body, model, decision, sent);
    }

    /**
     * The model a request body names, read as Ollama reads it; empty when the body is not
     * such JSON.
     */
    Optional<String> model(byte[] body) {
        return parse(body).map(request -> Fields.get(request, "model").stringValue());
    }

    private Optional<ObjectNode> parse(byte[] body) {
        try {
            JsonNode node = json.readTree(body);
            if (node instanceof ObjectNode object) {
                JsonNode model = Fields.get(object, "model");
                if (model != null && model.isString()) {
                    return Optional.of(object);
                }
            }
        }
        catch (JacksonException | IllegalArgumentException e) {
            // malformed, too deep, or not JSON at all: forwarded unchanged so Ollama
            // answers it
        }
        return Optional.empty();
    }

    /**
     * Adds the policy's options where the request lacks the key; a non-object options
     * field is Ollama's to reject.
     */
    private boolean fillOptions(ObjectNode request, Map<String, String> options) {
        if (options.isEmpty()) {
            return false;
        }
        JsonNode existing = Fields.get(request, OPTIONS);
        ObjectNode target;
        if (existing == null || existing.isNull()) {
            target = request.objectNode();
            Fields.set(request, OPTIONS, target);
        }
        else if (existing instanceof ObjectNode object) {
            target = object;
        }
        else {
            return false;
        }
        boolean changed = false;
        for (Map.Entry<String, String> option : options.entrySet()) {
            if (target.get(option.getKey()) == null) {
                target.set(option.getKey(), json.valueToTree(OptionValues.typed(option.getValue())));
                changed = true;
            }
        }
        return changed;
    }

    /**
     * No prompt, no messages, no input: with keep_alive 0 such a request unloads the
     * model.
     */
    private static boolean isEmpty(@Nullable JsonNode content) {
        return content == null || content.isNull() || (content.isString() && content.stringValue().isEmpty())
                || (content.isArray() && content.isEmpty());
    }

    /** What the client sent, read the way Ollama reads it. */
    private static ClientKeepAlive classify(@Nullable JsonNode value) {
        if (value == null || value.isNull()) {
            return ClientKeepAlive.absent();
        }
        if (value.isNumber()) {
            return ClientKeepAlive.ofNumber(value.decimalValue());
        }
        if (value.isString()) {
            return ClientKeepAlive.ofString(value.stringValue());
        }
        return ClientKeepAlive.invalid(value.toString()); // Ollama: "Unsupported type"
    }

    private static String raw(@Nullable JsonNode value) {
        if (value == null || value.isNull()) {
            return "unset";
        }
        return value.isString() ? value.stringValue() : value.toString();
    }

    /**
     * Top-level fields read the way Ollama's Go decoder reads them: names match
     * case-insensitively and the last match wins, so {@code "Keep_Alive"} after
     * {@code "keep_alive"} is the one Ollama uses.
     */
    private static final class Fields {

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

        /**
         * Replaces every spelling of the field with one {@code name} carrying the value.
         */
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

}
