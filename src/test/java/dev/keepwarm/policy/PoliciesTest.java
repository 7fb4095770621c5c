package dev.keepwarm.policy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Which policy governs a model: first matching rule, Ollama-style names, globs, then the
 * default.
 */
class PoliciesTest {

    /** Monday 2 March 2026, 10:00 in Berlin: inside "MON-FRI 08:00-18:00". */
    private static final Instant WORKING_HOURS = OffsetDateTime.parse("2026-03-02T10:00+01:00").toInstant();

    /** The same Monday, 20:00 in Berlin: outside it. */
    private static final Instant EVENING = OffsetDateTime.parse("2026-03-02T20:00+01:00").toInstant();

    @Test
    void firstMatchingRuleWinsOverALaterExactMatch() {
        Policies policies = policies(null, rule("qwen*", "1h"), rule("qwen3:8b", "forever"));

        assertThat(matchOf(policies, "qwen3:8b")).contains("qwen*");
    }

    @Test
    void firstMatchingRuleWinsOverALaterGlob() {
        Policies policies = policies(null, rule("qwen3:8b", "forever"), rule("qwen*", "1h"));

        assertThat(matchOf(policies, "qwen3:8b")).contains("qwen3:8b");
        assertThat(matchOf(policies, "qwen3:4b")).contains("qwen*");
    }

    @ParameterizedTest(name = "rule \"{0}\" matches model \"{1}\": {2}")
    @CsvSource(delimiter = '|', textBlock = """
            llama3.2:1b                           | llama3.2:1b                             | true
            llama3.2:1b                           | llama3.2:3b                             | false
            llama3.2:1b                           | llama3.2                                | false
            llama3.2                              | llama3.2                                | true
            llama3.2                              | llama3.2:latest                         | true
            llama3.2:latest                       | llama3.2                                | true
            llama3.2                              | llama3.2:1b                             | false
            llama3.2:1b                           | Llama3.2:1B                             | true
            LLAMA3.2:1B                           | llama3.2:1b                             | true
            Llama3.2                              | LLAMA3.2:LATEST                         | true
            llama3.2:1b                           | registry.ollama.ai/library/llama3.2:1b  | true
            llama3.2                              | registry.ollama.ai/library/llama3.2     | true
            llama3.2:1b                           | library/llama3.2:1b                     | true
            llama3.2:1b                           | Registry.Ollama.AI/Library/Llama3.2:1B  | true
            registry.ollama.ai/library/llama3.2:1b| llama3.2:1b                             | true
            llama3.2:1b                           | registry.ollama.ai/someone/llama3.2:1b  | false
            llama3.2:1b                           | someone/llama3.2:1b                     | false
            someone/model:q4                      | registry.ollama.ai/someone/model:q4     | true
            hf.co/bartowski/qwen3-gguf:q4_k_m     | hf.co/bartowski/Qwen3-GGUF:Q4_K_M       | true
            localhost:5000/team/model             | localhost:5000/team/model:latest        | true
            localhost:5000/team/model             | localhost:5000/team/model:v2            | false
            """)
    void exactMatchComparesNamesLikeOllama(String match, String model, boolean matches) {
        assertThat(matchOf(policies(null, rule(match, "1h")), model).isPresent()).isEqualTo(matches);
    }

    @ParameterizedTest(name = "glob \"{0}\" matches model \"{1}\": {2}")
    @CsvSource(delimiter = '|', textBlock = """
            qwen*                 | qwen3:8b                            | true
            qwen*                 | qwen3                               | true
            qwen*                 | qwen2.5-coder:7b                    | true
            qwen*                 | QWEN3:8B                            | true
            qwen*                 | registry.ollama.ai/library/qwen3:8b | true
            qwen*                 | codeqwen:7b                         | false
            Qwen*                 | qwen3:8b                            | true
            mistral?              | mistral2:7b                         | true
            mistral?              | mistral2                            | true
            mistral?              | mistral:7b                          | false
            mistral?              | mistral                             | false
            mistral?              | mistral-nemo:12b                    | false
            *coder                | qwen2.5-coder:7b                    | true
            *coder                | qwen2.5-coder:7b-instruct           | true
            *coder                | deepseek-coder-v2:16b               | false
            llama3.?              | llama3.2:1b                         | true
            llama3.2*             | llama3.2:1b                         | true
            llama3.2*             | llama302:1b                         | false
            qwen3:*b              | qwen3:8b                            | true
            qwen3:*b              | qwen3:latest                        | false
            qwen3:*b              | qwen3                               | false
            qwen3:?b              | qwen3:14b                           | false
            llama3.2:*            | llama3.2                            | true
            *:latest              | phi4                                | true
            *:latest              | phi4:14b                            | false
            *                     | anything:at-all                     | true
            """)
    void globMatchesLikeOllamaNamesAndWithoutTagMatchesEveryTag(String match, String model, boolean matches) {
        assertThat(matchOf(policies(null, rule(match, "1h")), model).isPresent()).isEqualTo(matches);
    }

    @Test
    void globWrittenWithTheDefaultRegistryMatchesTheShortName() {
        // registry.ollama.ai/library/x is x, for a rule's match as for a model name
        Policies policies = policies(null, rule("registry.ollama.ai/library/qwen*", "1h"));

        assertThat(matchOf(policies, "qwen3:8b")).contains("registry.ollama.ai/library/qwen*");
    }

    @Test
    void modelNoRuleMatchesFallsBackToTheDefault() {
        DefaultPolicy defaultPolicy = new DefaultPolicy(KeepAlive.parse("10m"), Mode.FILL, null, null, true, Map.of());
        Policies policies = policies(defaultPolicy, rule("llama3.2:1b", "forever"));

        assertThat(policies.forModel("phi4:14b", EVENING)).containsSame(defaultPolicy);
        assertThat(policies.rule("phi4:14b")).isEmpty();
        assertThat(policies.forModel("llama3.2:1b", EVENING)).map(Policy::name).contains("llama3.2:1b");
        assertThat(policies.defaultPolicy()).containsSame(defaultPolicy);
    }

    @Test
    void modelNoRuleMatchesHasNoPolicyWithoutADefault() {
        Policies policies = policies(null, rule("llama3.2:1b", "forever"));

        assertThat(policies.forModel("phi4:14b", EVENING)).isEmpty();
        assertThat(policies.defaultPolicy()).isEmpty();
    }

    @Test
    void noRulesAndNoDefaultGovernNothing() {
        Policies policies = new Policies(new PolicyProperties(null, null));

        assertThat(policies.rules()).isEmpty();
        assertThat(policies.forModel("llama3.2:1b", EVENING)).isEmpty();
    }

    @Test
    void rulesKeepTheirConfiguredOrder() {
        Policies policies = policies(null, rule("b*", "1h"), rule("a*", "1h"), rule("c", "1h"));

        assertThat(policies.rules()).extracting(ModelRule::match).containsExactly("b*", "a*", "c");
    }

    @Test
    void scheduledRuleInsideItsWindowAppliesAsWritten() {
        ModelRule rule = scheduled("llama3.2:1b", true, "10m");

        assertThat(policies(null, rule).forModel("llama3.2:1b", WORKING_HOURS)).containsSame(rule);
    }

    @Test
    void scheduledRuleOutsideItsWindowIsNotWarmAndTakesTheOffHoursKeepAlive() {
        Schedule schedule = workingHours("10m");
        ModelRule rule = new ModelRule("llama3.2:1b", KeepAlive.FOREVER, Mode.OVERRIDE, null, null, true, false,
                Map.of("num_ctx", "8192"), LoadRoute.GENERATE, schedule);

        Policy offHours = policies(null, rule).forModel("Llama3.2:1B", EVENING).orElseThrow();

        assertThat(offHours).isInstanceOfSatisfying(ModelRule.class, effective -> {
            assertThat(effective.keepAlive()).isEqualTo(KeepAlive.parse("10m"));
            assertThat(effective.warm()).isFalse();
            assertThat(effective.match()).isEqualTo("llama3.2:1b");
            assertThat(effective.mode()).isEqualTo(Mode.OVERRIDE);
            assertThat(effective.allowUnload()).isFalse();
            assertThat(effective.options()).isEqualTo(Map.of("num_ctx", "8192"));
            assertThat(effective.kind()).isEqualTo(LoadRoute.GENERATE);
            assertThat(effective.schedule()).isSameAs(schedule);
        });
        Decision decision = KeepAliveDecision.decide("llama3.2:1b", offHours, ClientKeepAlive.ofString("1h"), false);
        assertThat(decision.send()).contains(KeepAlive.parse("10m"));
        assertThat(decision.rule()).isEqualTo("llama3.2:1b");
    }

    @Test
    void clampRuleClampsAnOffHoursKeepAliveOutsideItsBounds() {
        ModelRule belowMin = new ModelRule("qwen*", KeepAlive.parse("30m"), Mode.CLAMP, KeepAlive.parse("10m"),
                KeepAlive.parse("1h"), false, true, Map.of(), LoadRoute.AUTO, workingHours("5m"));
        ModelRule aboveMax = new ModelRule("qwen*", KeepAlive.parse("30m"), Mode.CLAMP, KeepAlive.parse("10m"),
                KeepAlive.parse("1h"), false, true, Map.of(), LoadRoute.AUTO, workingHours("forever"));

        assertThat(sentOffHours(belowMin)).contains(KeepAlive.parse("10m"));
        assertThat(sentOffHours(aboveMax)).contains(KeepAlive.parse("1h"));
    }

    @Test
    void warmRulesListsEveryWarmRuleInOrderWhateverItsSchedule() {
        Policies policies = policies(null, scheduled("a*", true, "5m"), rule("b*", "1h"), scheduled("c*", false, "5m"),
                warm("d*"));

        assertThat(policies.warmRules()).extracting(ModelRule::match).containsExactly("a*", "d*");
        assertThat(policies(null, rule("b*", "1h")).warmRules()).isEmpty();
    }

    @Test
    void warmAtFollowsTheScheduleOfAWarmRule() {
        ModelRule scheduledWarm = scheduled("a*", true, "5m");
        ModelRule alwaysWarm = warm("b*");
        ModelRule scheduledCold = scheduled("c*", false, "5m");

        assertThat(scheduledWarm.warmAt(WORKING_HOURS)).isTrue();
        assertThat(scheduledWarm.warmAt(EVENING)).isFalse();
        assertThat(alwaysWarm.warmAt(WORKING_HOURS)).isTrue();
        assertThat(alwaysWarm.warmAt(EVENING)).isTrue();
        assertThat(scheduledCold.warmAt(WORKING_HOURS)).isFalse();
        assertThat(scheduledCold.warmAt(EVENING)).isFalse();
    }

    @Test
    void defaultPolicyIsTheSameAtAnyTime() {
        DefaultPolicy defaultPolicy = new DefaultPolicy(KeepAlive.parse("10m"), Mode.FILL, null, null, true, Map.of());
        Policies policies = policies(defaultPolicy, scheduled("llama3.2:1b", true, "5m"));

        assertThat(policies.forModel("phi4:14b", WORKING_HOURS)).containsSame(defaultPolicy);
        assertThat(policies.forModel("phi4:14b", EVENING)).containsSame(defaultPolicy);
    }

    @Test
    void unloadForbiddingRuleWithOffHoursKeepAliveZeroIsRejected() {
        assertThatIllegalArgumentException()
            .isThrownBy(() -> new ModelRule("llama3.2:1b", KeepAlive.FOREVER, Mode.OVERRIDE, null, null, true, false,
                    Map.of(), LoadRoute.AUTO, workingHours("0")))
            .withMessage("policy 'llama3.2:1b': allow-unload false needs an off-hours-keep-alive other than 0");
    }

    @Test
    void ruleKindDefaultsToAuto() {
        ModelRule rule = new ModelRule("x", KeepAlive.FOREVER, Mode.OVERRIDE, null, null, false, true, Map.of(), null,
                null);

        assertThat(rule.kind()).isEqualTo(LoadRoute.AUTO);
    }

    @Test
    void policiesWithEqualRulesAndDefaultAreEqual() {
        assertThat(policies(null, scheduled("a*", true, "5m"), rule("b", "1h")))
            .isEqualTo(policies(null, scheduled("a*", true, "5m"), rule("b", "1h")))
            .hasSameHashCodeAs(policies(null, scheduled("a*", true, "5m"), rule("b", "1h")))
            .isNotEqualTo(policies(null, scheduled("a*", true, "6m"), rule("b", "1h")))
            .isNotEqualTo(policies(null, rule("b", "1h"), scheduled("a*", true, "5m")));
    }

    @Test
    void modelNamesNormaliseLikeOllama() {
        assertThat(ModelName.normalize("Llama3.2")).isEqualTo("llama3.2:latest");
        assertThat(ModelName.normalize("registry.ollama.ai/library/qwen3:8b")).isEqualTo("qwen3:8b");
        assertThat(ModelName.normalize(" qwen3:8B ")).isEqualTo("qwen3:8b");
        assertThat(ModelName.normalize("localhost:5000/team/model")).isEqualTo("localhost:5000/team/model:latest");
    }

    private static Optional<String> matchOf(Policies policies, String model) {
        return policies.rule(model).map(ModelRule::match);
    }

    private static Policies policies(@Nullable DefaultPolicy defaultPolicy, ModelRule... rules) {
        return new Policies(new PolicyProperties(defaultPolicy, List.of(rules)));
    }

    private static ModelRule rule(String match, String keepAlive) {
        return new ModelRule(match, KeepAlive.parse(keepAlive), Mode.OVERRIDE, null, null, false, true, Map.of(),
                LoadRoute.AUTO, null);
    }

    private static ModelRule warm(String match) {
        return new ModelRule(match, KeepAlive.FOREVER, Mode.OVERRIDE, null, null, true, true, Map.of(), LoadRoute.AUTO,
                null);
    }

    private static ModelRule scheduled(String match, boolean warm, String offHours) {
        return new ModelRule(match, KeepAlive.FOREVER, Mode.OVERRIDE, null, null, warm, true, Map.of(), LoadRoute.AUTO,
                workingHours(offHours));
    }

    private static Schedule workingHours(String offHours) {
        return new Schedule(ZoneId.of("Europe/Berlin"), List.of("MON-FRI 08:00-18:00"), KeepAlive.parse(offHours));
    }

    /** What a request for qwen3:8b without keep_alive gets sent in the evening. */
    private static Optional<KeepAlive> sentOffHours(ModelRule rule) {
        Policy offHours = policies(null, rule).forModel("qwen3:8b", EVENING).orElseThrow();
        return KeepAliveDecision.decide("qwen3:8b", offHours, ClientKeepAlive.absent(), false).send();
    }

}
