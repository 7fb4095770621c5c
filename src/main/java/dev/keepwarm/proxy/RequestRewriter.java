package dev.keepwarm.proxy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

import dev.keepwarm.policy.Decision;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.KeepAliveDecision;
import dev.keepwarm.policy.Mode;
import dev.keepwarm.policy.OptionValues;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.policy.Policy;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Applies the keep_alive decision and the policy's runner options to a native request
 * body. Only the top level is read (one streaming pass) and only the changed fields are
 * written: every other byte, and the whole body when nothing changes, goes to Ollama as
 * the client sent it.
 */
final class RequestRewriter {

    static final String KEEP_ALIVE = "keep_alive";
    static final String OPTIONS = "options";

    private final PolicySource policies;

    private final Clock clock;

    private final JsonMapper json;

    private final KeepAliveAdvisor advisor;

    RequestRewriter(PolicySource policies, Clock clock, JsonMapper json) {
        this(policies, clock, json, KeepAliveAdvisor.NONE);
    }

    RequestRewriter(PolicySource policies, Clock clock, JsonMapper json, KeepAliveAdvisor advisor) {
        this.advisor = advisor;
        this.policies = policies;
        this.clock = clock;
        this.json = json;
    }

    Rewrite rewrite(KeepAliveRoute endpoint, byte[] body) {
        TopLevelFields request = TopLevelFields.scan(json, body, endpoint.contentField());
        if (request == null) {
            // not a JSON object with a model: Ollama's own 400 is the clear answer
            return Rewrite.untouched(body);
        }
        String model = request.model();
        Policy policy = policies.current().forModel(model, clock.instant()).orElse(null);
        KeepAliveAdvisor.Advice advice = KeepAliveAdvisor.Advice.NONE;
        if (policy != null && policy.mode() == Mode.ADAPTIVE
                && !KeepAliveDecision.explicitUnload(request.keepAlive(), request.contentEmpty())) {
            advice = advisor.started(model, policy);
        }
        Decision decision = KeepAliveDecision.decide(model, policy, request.keepAlive(), request.contentEmpty(),
                advice.keepAlive());
        String sent = decision.send().map(KeepAlive::toString).orElse(request.keepAliveRaw());
        if (decision.refused()) {
            return new Rewrite(body, model, decision, sent);
        }
        List<String> dropped = new ArrayList<>(2);
        List<String> appended = new ArrayList<>(2);
        if (decision.send().isPresent()) {
            dropped.add(KEEP_ALIVE);
            appended.add("\"" + KEEP_ALIVE + "\":" + decision.send().get().toJson());
        }
        String extraOptions = policy == null ? null : missingOptions(request, policy.options());
        if (extraOptions != null && request.options() != TopLevelFields.Options.OBJECT) {
            dropped.add(OPTIONS);
            appended.add("\"" + OPTIONS + "\":{" + extraOptions + "}");
        }
        boolean changed = !dropped.isEmpty() || extraOptions != null;
        return new Rewrite(changed ? request.rewrite(dropped, extraOptions, appended) : body, model, decision, sent,
                numCtx(request, policy), advice);
    }

    /**
     * A request for the model that carries no keep_alive (a /v1 route) starts: adaptive
     * mode learns from it as from any use.
     */
    KeepAliveAdvisor.Advice used(String model) {
        Policy policy = policies.current().forModel(model, clock.instant()).orElse(null);
        return (policy != null && policy.mode() == Mode.ADAPTIVE) ? advisor.started(model, policy)
                : KeepAliveAdvisor.Advice.NONE;
    }

    /**
     * The model a request body names, read as Ollama reads it; empty when the body is not
     * such JSON.
     */
    Optional<String> model(byte[] body) {
        TopLevelFields request = TopLevelFields.scan(json, body, null);
        return request == null ? Optional.empty() : Optional.ofNullable(request.model());
    }

    /**
     * The context the request's runner needs: its own num_ctx, else the one its rule
     * fills in; 0 when neither says (the host's default).
     */
    private static long numCtx(TopLevelFields request, @Nullable Policy policy) {
        if (request.numCtx() > 0 || request.hasOption("num_ctx")) {
            return request.numCtx();
        }
        String filled = policy == null ? null : policy.options().get("num_ctx");
        if (filled == null) {
            return 0;
        }
        try {
            return Long.parseLong(filled.strip());
        }
        catch (NumberFormatException ex) {
            return 0;
        }
    }

    /**
     * The policy's options the request lacks, as {@code "key":value} members; null when
     * none are to be added (none missing, or an options field that is not an object: that
     * is Ollama's to reject).
     */
    private @Nullable String missingOptions(TopLevelFields request, Map<String, String> options) {
        if (options.isEmpty() || request.options() == TopLevelFields.Options.OTHER) {
            return null;
        }
        StringJoiner members = new StringJoiner(",");
        for (Map.Entry<String, String> option : options.entrySet()) {
            if (!request.hasOption(option.getKey())) {
                members.add(json.writeValueAsString(option.getKey()) + ":"
                        + json.writeValueAsString(OptionValues.typed(option.getValue())));
            }
        }
        return members.length() == 0 ? null : members.toString();
    }

    /**
     * The body to send and what was decided.
     *
     * @param body bytes for Ollama (the original ones when nothing changed)
     * @param model the model named by the request, null when the body could not be read
     * @param decision the decision, null when the body could not be read
     * @param sent the keep_alive sent, for the X-Keepwarm-Keep-Alive header
     * @param numCtx the context the request's runner needs (its num_ctx, or its rule's),
     * 0 when neither sets one: a fleet routes it to a host running the model with it
     * @param advice adaptive mode's advice, to be told when the request ended
     */
    record Rewrite(byte[] body, @Nullable String model, @Nullable Decision decision, @Nullable String sent, long numCtx,
            KeepAliveAdvisor.Advice advice) {

        Rewrite(byte[] body, @Nullable String model, @Nullable Decision decision, @Nullable String sent) {
            this(body, model, decision, sent, 0, KeepAliveAdvisor.Advice.NONE);
        }

        static Rewrite untouched(byte[] body) {
            return new Rewrite(body, null, null, null);
        }

        /**
         * {@code <value sent>; rule=<match>; action=<action>}, or null when the body was
         * not read. Anything but printable ASCII (a client's keep_alive may hold a line
         * break or any character) shows as {@code ?}: a header is one line of ASCII, and
         * a client's odd value must reach Ollama's own error, not break the response.
         */
        @Nullable String header() {
            return decision == null ? null
                    : printable(sent + "; rule=" + decision.rule() + "; action=" + decision.action().tag());
        }

        private static String printable(String value) {
            StringBuilder out = null;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x20 || c > 0x7e) {
                    if (out == null) {
                        out = new StringBuilder(value);
                    }
                    out.setCharAt(i, '?');
                }
            }
            return out == null ? value : out.toString();
        }
    }

}
