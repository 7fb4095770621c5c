package dev.keepwarm.proxy;

import java.time.Clock;
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
 * Applies the keep_alive decision and the policy's runner options to a native request body. Re-serialises only
 * when something changes: otherwise the client's bytes go to Ollama as they came.
 */
final class RequestRewriter {

    static final String KEEP_ALIVE = "keep_alive";
    static final String OPTIONS = "options";

    private final PolicySource policies;
    private final Clock clock;
    private final JsonMapper json;

    RequestRewriter(PolicySource policies, Clock clock, JsonMapper json) {
        this.policies = policies;
        this.clock = clock;
        this.json = json;
    }

    Rewrite rewrite(Endpoint endpoint, byte[] body) {
        Optional<ObjectNode> parsed = parse(body);
        if (parsed.isEmpty()) {
            return Rewrite.untouched(body); // not a JSON object with a model: Ollama's own 400 is the clear answer
        }
        ObjectNode request = parsed.get();
        String model = Fields.get(request, "model").stringValue();
        Policy policy = policies.current().forModel(model, clock.instant()).orElse(null);
        JsonNode clientValue = Fields.get(request, KEEP_ALIVE);
        Decision decision = KeepAliveDecision.decide(model, policy,
                classify(clientValue), isEmpty(Fields.get(request, endpoint.contentField())));
        String sent = decision.send().map(KeepAlive::toString).orElseGet(() -> raw(clientValue));
        if (decision.refused()) {
            return new Rewrite(body, model, decision, sent);
        }
        boolean changed = false;
        if (decision.send().isPresent()) {
            Fields.set(request, KEEP_ALIVE, json.readTree(decision.send().get().toJson()));
            changed = true;
        }
        if (policy != null) {
            changed |= fillOptions(request, policy.options());
        }
        return new Rewrite(changed ? json.writeValueAsBytes(request) : body, model, decision, sent);
    }

    /** The model a request body names, read as Ollama reads it; empty when the body is not such JSON. */
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
        } catch (JacksonException | IllegalArgumentException e) {
            // malformed, too deep, or not JSON at all: forwarded unchanged so Ollama answers it
        }
        return Optional.empty();
    }

    /** Adds the policy's options where the request lacks the key; a non-object options field is Ollama's to reject. */
    private boolean fillOptions(ObjectNode request, Map<String, String> options) {
        if (options.isEmpty()) {
            return false;
        }
        JsonNode existing = Fields.get(request, OPTIONS);
        ObjectNode target;
        if (existing == null || existing.isNull()) {
            target = request.objectNode();
            Fields.set(request, OPTIONS, target);
        } else if (existing instanceof ObjectNode object) {
            target = object;
        } else {
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

    /** No prompt, no messages, no input: with keep_alive 0 such a request unloads the model. */
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
     * The body to send and what was decided.
     *
     * @param body bytes for Ollama (the original ones when nothing changed)
     * @param model the model named by the request, null when the body could not be read
     * @param decision the decision, null when the body could not be read
     * @param sent the keep_alive sent, for the X-Keepwarm-Keep-Alive header
     */
    record Rewrite(byte[] body, @Nullable String model, @Nullable Decision decision, @Nullable String sent) {

        static Rewrite untouched(byte[] body) {
            return new Rewrite(body, null, null, null);
        }

        /** {@code <value sent>; rule=<match>; action=<action>}, or null when the body was not read. */
        @Nullable String header() {
            return decision == null ? null : sent + "; rule=" + decision.rule() + "; action=" + decision.action().tag();
        }
    }
}
