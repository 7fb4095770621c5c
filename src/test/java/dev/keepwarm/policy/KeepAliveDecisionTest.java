package dev.keepwarm.policy;

import java.math.BigDecimal;
import java.util.Map;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The keep_alive decision as a table: every mode (and no policy) x every kind of client
 * value x allow-unload x empty prompt where it matters, then the clamp edge cases.
 */
class KeepAliveDecisionTest {

    /** Expected {@code send} when the client's field must be left exactly as it was. */
    private static final String UNCHANGED = "unchanged";

    private static final boolean PROMPT = false;

    private static final boolean EMPTY_PROMPT = true;

    private static final String LLAMA_UNLOAD_REFUSED = "model 'llama3.2:1b' is pinned by keepwarm policy 'llama3.2:1b'; unload refused";

    private static final String QWEN_UNLOAD_REFUSED = "model 'qwen3:8b' is pinned by keepwarm policy 'qwen3:8b'; unload refused";

    private static final String MISTRAL_UNLOAD_REFUSED = "model 'mistral:7b' is pinned by keepwarm policy 'mistral*'; unload refused";

    // fixture(label, model the client names, rule name the decision must report, policy)
    private static final Fixture OVERRIDE_PINNED = fixture("override forever, pinned", "llama3.2:1b", "llama3.2:1b",
            rule("llama3.2:1b", "forever", Mode.OVERRIDE, null, null, false));

    private static final Fixture OVERRIDE_UNLOADABLE = fixture("override 10m, unload allowed", "llama3.2:3b",
            "llama3.2:3b", rule("llama3.2:3b", "10m", Mode.OVERRIDE, null, null, true));

    private static final Fixture FILL_PINNED = fixture("fill 30m, pinned", "qwen3:8b", "qwen3:8b",
            rule("qwen3:8b", "30m", Mode.FILL, null, null, false));

    private static final Fixture FILL_UNLOADABLE = fixture("fill 30m, unload allowed", "qwen3:4b", "qwen3:4b",
            rule("qwen3:4b", "30m", Mode.FILL, null, null, true));

    private static final Fixture FILL_WITHOUT_VALUE = fixture("fill without keep-alive", "phi4:latest", "phi4",
            rule("phi4", null, Mode.FILL, null, null, true));

    private static final Fixture CLAMP_PINNED = fixture("clamp 10m in [5m,1h], pinned", "mistral:7b", "mistral*",
            rule("mistral*", "10m", Mode.CLAMP, "5m", "1h", false));

    private static final Fixture CLAMP_UNLOADABLE = fixture("clamp 10m in [5m,1h], unload allowed", "gemma3:4b",
            "gemma3*", rule("gemma3*", "10m", Mode.CLAMP, "5m", "1h", true));

    private static final Fixture ADAPTIVE_PINNED = fixture("adaptive, learning 10m, pinned", "phi4:14b", "phi4*",
            rule("phi4*", "10m", Mode.ADAPTIVE, null, null, false));

    private static final Fixture ADAPTIVE_UNLOADABLE = fixture("adaptive, learning 10m, unload allowed", "qwq:32b",
            "qwq*", rule("qwq*", "10m", Mode.ADAPTIVE, "1m", "4h", true));

    private static final String PHI_UNLOAD_REFUSED = "model 'phi4:14b' is pinned by keepwarm policy 'phi4*'; "
            + "unload refused";

    private static final Fixture NO_POLICY = fixture("no policy", "tinyllama:latest", "none", null);

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decidesEveryModeForEveryClientValue(Row row) {
        Fixture fixture = row.fixture;

        Decision decision = KeepAliveDecision.decide(fixture.model, fixture.policy, client(row.client),
                row.emptyPrompt);

        assertThat(decision.action()).as("action").isEqualTo(row.action);
        assertThat(decision.rule()).as("rule").isEqualTo(row.rule);
        assertThat(sent(decision)).as("send").isEqualTo(row.send);
        assertThat(decision.refusal()).as("refusal").isEqualTo(row.refusal);
        assertThat(decision.refused()).as("refused()").isEqualTo(row.action == Action.UNLOAD_REFUSED);
    }

    static Stream<Row> table() {
        return Stream.of(
                // override, allow-unload false: the rule's forever whatever the client
                // sent; explicit unload refused
                row(OVERRIDE_PINNED, "absent", PROMPT, Action.OVERRIDE, "-1"),
                row(OVERRIDE_PINNED, "absent", EMPTY_PROMPT, Action.OVERRIDE, "-1"),
                row(OVERRIDE_PINNED, "300", PROMPT, Action.OVERRIDE, "-1"),
                row(OVERRIDE_PINNED, "-1", PROMPT, Action.OVERRIDE, "-1"),
                row(OVERRIDE_PINNED, "\"5m\"", PROMPT, Action.OVERRIDE, "-1"),
                row(OVERRIDE_PINNED, "0", PROMPT, Action.OVERRIDE, "-1"),
                row(OVERRIDE_PINNED, "\"0\"", PROMPT, Action.OVERRIDE, "-1"),
                refused(OVERRIDE_PINNED, "0", LLAMA_UNLOAD_REFUSED),
                refused(OVERRIDE_PINNED, "\"0\"", LLAMA_UNLOAD_REFUSED),
                row(OVERRIDE_PINNED, "\"300\"", PROMPT, Action.OVERRIDE, "-1"),
                row(OVERRIDE_PINNED, "\"-1\"", PROMPT, Action.OVERRIDE, "-1"),
                row(OVERRIDE_PINNED, "\"abc\"", PROMPT, Action.OVERRIDE, "-1"),

                // override, allow-unload true: the rule's 10m, except an explicit unload,
                // where the client's 0 stands
                row(OVERRIDE_UNLOADABLE, "absent", PROMPT, Action.OVERRIDE, "\"10m\""),
                row(OVERRIDE_UNLOADABLE, "absent", EMPTY_PROMPT, Action.OVERRIDE, "\"10m\""),
                row(OVERRIDE_UNLOADABLE, "300", PROMPT, Action.OVERRIDE, "\"10m\""),
                row(OVERRIDE_UNLOADABLE, "-1", PROMPT, Action.OVERRIDE, "\"10m\""),
                row(OVERRIDE_UNLOADABLE, "\"5m\"", PROMPT, Action.OVERRIDE, "\"10m\""),
                row(OVERRIDE_UNLOADABLE, "0", PROMPT, Action.OVERRIDE, "\"10m\""),
                row(OVERRIDE_UNLOADABLE, "\"0\"", PROMPT, Action.OVERRIDE, "\"10m\""),
                row(OVERRIDE_UNLOADABLE, "0", EMPTY_PROMPT, Action.OVERRIDE, UNCHANGED),
                row(OVERRIDE_UNLOADABLE, "\"0\"", EMPTY_PROMPT, Action.OVERRIDE, UNCHANGED),
                row(OVERRIDE_UNLOADABLE, "\"300\"", PROMPT, Action.OVERRIDE, "\"10m\""),
                row(OVERRIDE_UNLOADABLE, "\"-1\"", PROMPT, Action.OVERRIDE, "\"10m\""),
                row(OVERRIDE_UNLOADABLE, "\"abc\"", PROMPT, Action.OVERRIDE, "\"10m\""),

                // fill, allow-unload false: the client's value when present (repaired
                // when a numeric string),
                // a 0 with a prompt counts as absent, an explicit unload is refused
                row(FILL_PINNED, "absent", PROMPT, Action.FILL, "\"30m\""),
                row(FILL_PINNED, "absent", EMPTY_PROMPT, Action.FILL, "\"30m\""),
                row(FILL_PINNED, "300", PROMPT, Action.FILL, UNCHANGED),
                row(FILL_PINNED, "-1", PROMPT, Action.FILL, UNCHANGED),
                row(FILL_PINNED, "\"5m\"", PROMPT, Action.FILL, UNCHANGED),
                row(FILL_PINNED, "0", PROMPT, Action.FILL, "\"30m\""),
                row(FILL_PINNED, "\"0\"", PROMPT, Action.FILL, "\"30m\""),
                refused(FILL_PINNED, "0", QWEN_UNLOAD_REFUSED), refused(FILL_PINNED, "\"0\"", QWEN_UNLOAD_REFUSED),
                row(FILL_PINNED, "\"300\"", PROMPT, Action.FILL, "300"),
                row(FILL_PINNED, "\"-1\"", PROMPT, Action.FILL, "-1"),
                row(FILL_PINNED, "\"abc\"", PROMPT, Action.FILL, UNCHANGED),

                // fill, allow-unload true: the client's value when present, 0 included
                row(FILL_UNLOADABLE, "absent", PROMPT, Action.FILL, "\"30m\""),
                row(FILL_UNLOADABLE, "absent", EMPTY_PROMPT, Action.FILL, "\"30m\""),
                row(FILL_UNLOADABLE, "300", PROMPT, Action.FILL, UNCHANGED),
                row(FILL_UNLOADABLE, "-1", PROMPT, Action.FILL, UNCHANGED),
                row(FILL_UNLOADABLE, "\"5m\"", PROMPT, Action.FILL, UNCHANGED),
                row(FILL_UNLOADABLE, "0", PROMPT, Action.FILL, UNCHANGED),
                row(FILL_UNLOADABLE, "\"0\"", PROMPT, Action.FILL, UNCHANGED),
                row(FILL_UNLOADABLE, "0", EMPTY_PROMPT, Action.FILL, UNCHANGED),
                row(FILL_UNLOADABLE, "\"0\"", EMPTY_PROMPT, Action.FILL, UNCHANGED),
                row(FILL_UNLOADABLE, "\"300\"", PROMPT, Action.FILL, "300"),
                row(FILL_UNLOADABLE, "\"-1\"", PROMPT, Action.FILL, "-1"),
                row(FILL_UNLOADABLE, "\"abc\"", PROMPT, Action.FILL, UNCHANGED),

                // fill without a keep-alive of its own: an absent value stays absent
                row(FILL_WITHOUT_VALUE, "absent", PROMPT, Action.FILL, UNCHANGED),
                row(FILL_WITHOUT_VALUE, "\"5m\"", PROMPT, Action.FILL, UNCHANGED),
                row(FILL_WITHOUT_VALUE, "\"300\"", PROMPT, Action.FILL, "300"),

                // clamp into [5m, 1h], allow-unload false
                row(CLAMP_PINNED, "absent", PROMPT, Action.CLAMP, "\"10m\""),
                row(CLAMP_PINNED, "absent", EMPTY_PROMPT, Action.CLAMP, "\"10m\""),
                row(CLAMP_PINNED, "300", PROMPT, Action.CLAMP, UNCHANGED),
                row(CLAMP_PINNED, "-1", PROMPT, Action.CLAMP, "\"1h\""),
                row(CLAMP_PINNED, "\"5m\"", PROMPT, Action.CLAMP, UNCHANGED),
                row(CLAMP_PINNED, "0", PROMPT, Action.CLAMP, "\"10m\""),
                row(CLAMP_PINNED, "\"0\"", PROMPT, Action.CLAMP, "\"10m\""),
                refused(CLAMP_PINNED, "0", MISTRAL_UNLOAD_REFUSED),
                refused(CLAMP_PINNED, "\"0\"", MISTRAL_UNLOAD_REFUSED),
                row(CLAMP_PINNED, "\"300\"", PROMPT, Action.CLAMP, "300"),
                row(CLAMP_PINNED, "\"-1\"", PROMPT, Action.CLAMP, "\"1h\""),
                row(CLAMP_PINNED, "\"abc\"", PROMPT, Action.CLAMP, UNCHANGED),

                // clamp into [5m, 1h], allow-unload true: a 0 with a prompt is raised to
                // min
                row(CLAMP_UNLOADABLE, "absent", PROMPT, Action.CLAMP, "\"10m\""),
                row(CLAMP_UNLOADABLE, "absent", EMPTY_PROMPT, Action.CLAMP, "\"10m\""),
                row(CLAMP_UNLOADABLE, "300", PROMPT, Action.CLAMP, UNCHANGED),
                row(CLAMP_UNLOADABLE, "-1", PROMPT, Action.CLAMP, "\"1h\""),
                row(CLAMP_UNLOADABLE, "\"5m\"", PROMPT, Action.CLAMP, UNCHANGED),
                row(CLAMP_UNLOADABLE, "0", PROMPT, Action.CLAMP, "\"5m\""),
                row(CLAMP_UNLOADABLE, "\"0\"", PROMPT, Action.CLAMP, "\"5m\""),
                row(CLAMP_UNLOADABLE, "0", EMPTY_PROMPT, Action.CLAMP, UNCHANGED),
                row(CLAMP_UNLOADABLE, "\"0\"", EMPTY_PROMPT, Action.CLAMP, UNCHANGED),
                row(CLAMP_UNLOADABLE, "\"300\"", PROMPT, Action.CLAMP, "300"),
                row(CLAMP_UNLOADABLE, "\"-1\"", PROMPT, Action.CLAMP, "\"1h\""),
                row(CLAMP_UNLOADABLE, "\"abc\"", PROMPT, Action.CLAMP, UNCHANGED),

                // adaptive without a learned value (learning): the rule's keep-alive
                // replaces the client's, as override does; an explicit unload follows
                // allow-unload
                row(ADAPTIVE_PINNED, "absent", PROMPT, Action.ADAPTIVE, "\"10m\""),
                row(ADAPTIVE_PINNED, "-1", PROMPT, Action.ADAPTIVE, "\"10m\""),
                row(ADAPTIVE_PINNED, "0", PROMPT, Action.ADAPTIVE, "\"10m\""),
                refused(ADAPTIVE_PINNED, "0", PHI_UNLOAD_REFUSED),
                row(ADAPTIVE_UNLOADABLE, "absent", PROMPT, Action.ADAPTIVE, "\"10m\""),
                row(ADAPTIVE_UNLOADABLE, "absent", EMPTY_PROMPT, Action.ADAPTIVE, "\"10m\""),
                row(ADAPTIVE_UNLOADABLE, "\"2h\"", PROMPT, Action.ADAPTIVE, "\"10m\""),
                row(ADAPTIVE_UNLOADABLE, "0", PROMPT, Action.ADAPTIVE, "\"10m\""),
                row(ADAPTIVE_UNLOADABLE, "\"abc\"", PROMPT, Action.ADAPTIVE, "\"10m\""),
                row(ADAPTIVE_UNLOADABLE, "0", EMPTY_PROMPT, Action.ADAPTIVE, UNCHANGED),
                row(ADAPTIVE_UNLOADABLE, "\"0\"", EMPTY_PROMPT, Action.ADAPTIVE, UNCHANGED),

                // no rule and no default: the body passes unchanged, numeric strings and
                // unloads included
                row(NO_POLICY, "absent", PROMPT, Action.PASS, UNCHANGED),
                row(NO_POLICY, "absent", EMPTY_PROMPT, Action.PASS, UNCHANGED),
                row(NO_POLICY, "300", PROMPT, Action.PASS, UNCHANGED),
                row(NO_POLICY, "-1", PROMPT, Action.PASS, UNCHANGED),
                row(NO_POLICY, "\"5m\"", PROMPT, Action.PASS, UNCHANGED),
                row(NO_POLICY, "0", PROMPT, Action.PASS, UNCHANGED),
                row(NO_POLICY, "0", EMPTY_PROMPT, Action.PASS, UNCHANGED),
                row(NO_POLICY, "\"0\"", EMPTY_PROMPT, Action.PASS, UNCHANGED),
                row(NO_POLICY, "\"300\"", PROMPT, Action.PASS, UNCHANGED),
                row(NO_POLICY, "\"-1\"", PROMPT, Action.PASS, UNCHANGED),
                row(NO_POLICY, "\"abc\"", PROMPT, Action.PASS, UNCHANGED));
    }

    @Test
    void adaptiveSendsWhatWasLearnedAndOnlyAnEmptyPromptWithZeroIsAnUnload() {
        Policy policy = rule("qwq*", "10m", Mode.ADAPTIVE, null, null, true);
        Decision learned = KeepAliveDecision.decide("qwq:32b", policy, client("\"2h\""), PROMPT, KeepAlive.ZERO);
        assertThat(learned.action()).isEqualTo(Action.ADAPTIVE);
        assertThat(sent(learned)).isEqualTo("\"0s\"");
        assertThat(KeepAliveDecision.explicitUnload(client("0"), EMPTY_PROMPT)).isTrue();
        assertThat(KeepAliveDecision.explicitUnload(client("\"0\""), EMPTY_PROMPT)).isTrue();
        assertThat(KeepAliveDecision.explicitUnload(client("0"), PROMPT)).isFalse();
        assertThat(KeepAliveDecision.explicitUnload(client("absent"), EMPTY_PROMPT)).isFalse();
    }

    @Test
    void foreverIsClampedToMaxOf24Hours() {
        Policy policy = rule("llama3.2:1b", "1h", Mode.CLAMP, "5m", "24h", true);

        assertThat(sent(decide(policy, "-1"))).isEqualTo("\"24h\"");
        assertThat(sent(decide(policy, "\"-1m\""))).isEqualTo("\"24h\"");
    }

    @Test
    void oneMinuteIsRaisedToMinOfFiveMinutes() {
        Policy policy = rule("llama3.2:1b", "1h", Mode.CLAMP, "5m", "24h", true);

        assertThat(sent(decide(policy, "\"1m\""))).isEqualTo("\"5m\"");
        assertThat(sent(decide(policy, "60"))).isEqualTo("\"5m\"");
    }

    @Test
    void valueInsideRangeIsLeftAsTheClientSentIt() {
        Policy policy = rule("llama3.2:1b", "1h", Mode.CLAMP, "5m", "24h", true);

        Decision decision = decide(policy, "\"30m\"");

        assertThat(decision.action()).isEqualTo(Action.CLAMP);
        assertThat(decision.send()).isEmpty();
    }

    @Test
    void valuesOnTheBoundsAreLeftAsTheClientSentThem() {
        Policy policy = rule("llama3.2:1b", "1h", Mode.CLAMP, "5m", "24h", true);

        assertThat(decide(policy, "\"5m\"").send()).isEmpty();
        assertThat(decide(policy, "\"24h\"").send()).isEmpty();
        assertThat(decide(policy, "86400").send()).isEmpty();
    }

    @Test
    void twoHoursAreLoweredToMaxOfOneHour() {
        Policy policy = rule("llama3.2:1b", "10m", Mode.CLAMP, "5m", "1h", true);

        assertThat(sent(decide(policy, "\"2h\""))).isEqualTo("\"1h\"");
        assertThat(sent(decide(policy, "7200"))).isEqualTo("\"1h\"");
    }

    @Test
    void clampWithOnlyMaxLowersClientForeverToMax() {
        Policy policy = rule("llama3.2:1b", "1h", Mode.CLAMP, null, "24h", true);

        assertThat(sent(decide(policy, "-1"))).isEqualTo("\"24h\"");
        assertThat(sent(decide(policy, "\"-1\""))).isEqualTo("\"24h\"");
    }

    @Test
    void clampLowersGosMostNegativeDurationToMax() {
        // Ollama reads "-9223372036854775808ns" as a valid negative duration, that is
        // forever
        Policy policy = rule("llama3.2:1b", "1h", Mode.CLAMP, "5m", "24h", true);

        assertThat(sent(decide(policy, "\"-9223372036854775808ns\""))).isEqualTo("\"24h\"");
    }

    @Test
    void clampWithOnlyMaxLetsZeroWithPromptThrough() {
        Policy policy = rule("llama3.2:1b", "1h", Mode.CLAMP, null, "24h", true);

        assertThat(decide(policy, "0").send()).isEmpty();
    }

    @Test
    void clampWithOnlyMinKeepsClientForever() {
        Policy policy = rule("llama3.2:1b", "1h", Mode.CLAMP, "5m", null, true);

        assertThat(decide(policy, "-1").send()).isEmpty();
        assertThat(sent(decide(policy, "\"-1\""))).isEqualTo("-1");
    }

    @Test
    void clampWithForeverAsMaxKeepsClientForever() {
        Policy policy = rule("llama3.2:1b", "1h", Mode.CLAMP, "5m", "forever", true);

        assertThat(decide(policy, "-1").send()).isEmpty();
        assertThat(sent(decide(policy, "\"1m\""))).isEqualTo("\"5m\"");
    }

    @Test
    void clampWithForeverAsMinRaisesEveryValueToForever() {
        Policy policy = rule("llama3.2:1b", "forever", Mode.CLAMP, "forever", null, true);

        assertThat(sent(decide(policy, "\"24h\""))).isEqualTo("-1");
        assertThat(sent(decide(policy, "absent"))).isEqualTo("-1");
    }

    @Test
    void rulesOwnValueOutsideTheRangeIsClampedToo() {
        Policy policy = rule("llama3.2:1b", "1m", Mode.CLAMP, "5m", "1h", true);

        assertThat(sent(decide(policy, "absent"))).isEqualTo("\"5m\"");
    }

    @Test
    void fractionalSecondsInsideRangeStayTheClientsNumber() {
        Policy policy = rule("llama3.2:1b", "10m", Mode.CLAMP, "10s", "1h", true);

        assertThat(decide(policy, "42.5").send()).isEmpty();
        assertThat(sent(decide(policy, "\"42.5\""))).isEqualTo("42.5");
    }

    @Test
    void defaultPolicyReportsRuleDefault() {
        Policy policy = new DefaultPolicy(KeepAlive.parse("10m"), Mode.FILL, null, null, true, Map.of());

        Decision decision = KeepAliveDecision.decide("anything:latest", policy, ClientKeepAlive.absent(), PROMPT);

        assertThat(decision.action()).isEqualTo(Action.FILL);
        assertThat(decision.rule()).isEqualTo("default");
        assertThat(sent(decision)).isEqualTo("\"10m\"");
    }

    @Test
    void refusalNamesTheModelAsTheClientWroteIt() {
        Policy policy = rule("llama3.2:1b", "forever", Mode.OVERRIDE, null, null, false);

        ClientKeepAlive zero = ClientKeepAlive.ofNumber(BigDecimal.ZERO);

        Decision decision = KeepAliveDecision.decide("Llama3.2:1B", policy, zero, EMPTY_PROMPT);

        assertThat(decision.refusal())
            .isEqualTo("model 'Llama3.2:1B' is pinned by keepwarm policy 'llama3.2:1b'; unload refused");
        assertThat(decision.send()).isEmpty();
    }

    @Test
    void pinnedModelKeepsForeverWhenClientSendsFiveMinutes() {
        Policy policy = rule("llama3.2:1b", "forever", Mode.OVERRIDE, null, null, false);

        assertThat(sent(decide(policy, "\"5m\""))).isEqualTo("-1");
    }

    private static Decision decide(Policy policy, String clientJson) {
        return KeepAliveDecision.decide("llama3.2:1b", policy, client(clientJson), PROMPT);
    }

    /**
     * The client's keep_alive as the proxy would classify it: {@code absent}, a JSON
     * number, or a quoted string.
     */
    private static ClientKeepAlive client(String json) {
        if (json.equals("absent")) {
            return ClientKeepAlive.absent();
        }
        if (json.startsWith("\"")) {
            return ClientKeepAlive.ofString(json.substring(1, json.length() - 1));
        }
        return ClientKeepAlive.ofNumber(new BigDecimal(json));
    }

    private static String sent(Decision decision) {
        return decision.send().map(KeepAlive::toJson).orElse(UNCHANGED);
    }

    static ModelRule rule(String match, @Nullable String keepAlive, Mode mode, @Nullable String min,
            @Nullable String max, boolean allowUnload) {
        return new ModelRule(match, keepAlive == null ? null : KeepAlive.parse(keepAlive), mode,
                min == null ? null : KeepAlive.parse(min), max == null ? null : KeepAlive.parse(max), false,
                allowUnload, Map.of(), LoadRoute.AUTO, null);
    }

    /**
     * @param rule the rule name the decision must report: the rule's match as configured,
     * or {@code none}
     */
    private static Fixture fixture(String label, String model, String rule, @Nullable Policy policy) {
        return new Fixture(label, model, rule, policy);
    }

    private static Row row(Fixture fixture, String client, boolean emptyPrompt, Action action, String send) {
        return new Row(fixture, client, emptyPrompt, action, fixture.rule, send, null);
    }

    private static Row refused(Fixture fixture, String client, String refusal) {
        return new Row(fixture, client, EMPTY_PROMPT, Action.UNLOAD_REFUSED, fixture.rule, UNCHANGED, refusal);
    }

    record Fixture(String label, String model, String rule, @Nullable Policy policy) {
    }

    record Row(Fixture fixture, String client, boolean emptyPrompt, Action action, String rule, String send,
            @Nullable String refusal) {

        @Override
        public String toString() {
            return fixture.label + " | client " + client + (emptyPrompt ? " | empty prompt" : " | with prompt") + " -> "
                    + action.tag() + ", send " + send + (refusal == null ? "" : ", refused");
        }
    }

}
