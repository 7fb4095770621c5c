package dev.keepwarm.proxy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.keepwarm.policy.LoadRoute;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.Mode;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.Policies;
import dev.keepwarm.policy.PolicyProperties;
import dev.keepwarm.policy.PolicySource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming rewriter against the tree rewriter it replaced ({@link TreeRewriter}): on
 * every combination of keep_alive, options, content, model and spelling below, both must
 * decide the same, send the same header, leave the same bodies untouched, and send Ollama
 * the same JSON. And the streaming one keeps the client's bytes of every field it did not
 * change.
 */
class RequestRewriterTest {

    private static final JsonMapper JSON = RewriteBenchmark.requestJson();

    private static final PolicySource POLICIES = new PolicySource(new Policies(new PolicyProperties(null,
            List.of(rule("pinned", "1h", Mode.OVERRIDE, null, null, true,
                    Map.of("num_ctx", "8192", "temperature", "0.2")),
                    rule("filled", "10m", Mode.FILL, null, null, true, Map.of()),
                    rule("clamped", "10m", Mode.CLAMP, "1m", "1h", true, Map.of("use_mmap", "false")),
                    rule("kept", "forever", Mode.OVERRIDE, null, null, false, Map.of())))));

    private final RequestRewriter streaming = new RequestRewriter(POLICIES, Clock.systemUTC(), JSON);

    private final TreeRewriter tree = new TreeRewriter(POLICIES, Clock.systemUTC(), JSON);

    private static ModelRule rule(String match, String keepAlive, Mode mode, String min, String max,
            boolean allowUnload, Map<String, String> options) {
        return new ModelRule(match, KeepAlive.parse(keepAlive), mode, min == null ? null : KeepAlive.parse(min),
                max == null ? null : KeepAlive.parse(max), false, allowUnload, options, LoadRoute.GENERATE, null);
    }

    @Test
    void decidesAndSendsWhatTheTreeRewriterDid() {
        List<String> keepAlives = List.of("", "\"keep_alive\":null", "\"keep_alive\":300", "\"keep_alive\":1.50",
                "\"keep_alive\":-1", "\"keep_alive\":0", "\"keep_alive\":\"10m\"", "\"keep_alive\":\"0s\"",
                "\"keep_alive\":\"soon\"", "\"keep_alive\":true", "\"keep_alive\":[1, 2]", "\"keep_alive\":{\"a\":1}",
                "\"KEEP_ALIVE\":\"2h\"", "\"keep_alive\":\"5m\",\"Keep_Alive\":0",
                "\"Keep_Alive\":\"1m\" , \"keep_alive\":7");
        List<String> options = List.of("", "\"options\":null", "\"options\":{}", "\"options\":{\"num_ctx\":4096}",
                "\"options\":{ \"temperature\" : 0.10 , \"seed\":42 }", "\"options\":\"fast\"",
                "\"Options\":{\"seed\":1}");
        List<String> contents = List.of("", "\"prompt\":\"\"", "\"prompt\":\"Why is the sky blue?\"", "\"prompt\":null",
                "\"prompt\":[]", "\"PROMPT\":\"hi\\u00e9\"");
        List<String> models = List.of("\"model\":\"pinned\"", "\"model\":\"filled:latest\"", "\"model\":\"clamped\"",
                "\"model\":\"kept\"", "\"model\":\"no-rule\"", "\"Model\":\"pinned\"", "\"model\":42");
        int compared = 0;
        for (String model : models) {
            for (String keepAlive : keepAlives) {
                for (String option : options) {
                    for (String content : contents) {
                        List<String> members = new ArrayList<>(List.of(model, "\"images\":[\"aGVsbG8=\"]",
                                "\"format\":{\"type\":\"object\",\"properties\":{}}"));
                        for (String member : List.of(keepAlive, option, content)) {
                            if (!member.isEmpty()) {
                                members.add(member);
                            }
                        }
                        byte[] body = ("{ " + String.join(",\n  ", members) + " }").getBytes(StandardCharsets.UTF_8);
                        assertSame(body);
                        compared++;
                    }
                }
            }
        }
        assertThat(compared).isEqualTo(models.size() * keepAlives.size() * options.size() * contents.size());
    }

    @Test
    void bodiesThatAreNotOneObjectWithAModelGoThroughUntouched() {
        for (String text : List.of("", "null", "[]", "\"x\"", "{", "{\"model\":\"pinned\"", "{\"model\":\"pinned\"} x",
                "{\"model\":\"pinned\",}", "{\"prompt\":\"hi\"}", "{\"model\":null}",
                "{\"model\":\"pinned\",\"a\":[1,}")) {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            RequestRewriter.Rewrite rewrite = streaming.rewrite(KeepAliveRoute.GENERATE, body);
            assertThat(rewrite.body()).as(text).isSameAs(body);
            assertThat(rewrite.decision()).as(text).isNull();
            assertSame(body);
        }
    }

    @Test
    void theContextARequestNeedsIsItsOwnNumCtxElseItsRules() {
        assertThat(numCtx("{\"model\":\"pinned\"}")).as("the rule fills 8192").isEqualTo(8192);
        assertThat(numCtx("{\"model\":\"pinned\",\"options\":{\"num_ctx\":4096}}")).isEqualTo(4096);
        assertThat(numCtx("{\"model\":\"filled\"}")).as("neither says").isZero();
        assertThat(numCtx("{\"model\":\"no-rule\",\"options\":{\"seed\":1,\"num_ctx\":2048}}")).isEqualTo(2048);
        assertThat(numCtx("{\"model\":\"no-rule\",\"options\":{\"num_ctx\":\"big\"}}")).isZero();
        assertThat(numCtx("{\"model\":\"no-rule\",\"options\":{\"num_ctx\":{\"a\":1}},\"x\":1}")).isZero();
    }

    private long numCtx(String body) {
        return streaming.rewrite(KeepAliveRoute.GENERATE, body.getBytes(StandardCharsets.UTF_8)).numCtx();
    }

    @Test
    void keepsTheClientsBytesOfEveryFieldItDidNotChange() {
        String body = "{\"model\":\"pinned\", \"prompt\":\"caf\\u00e9 \\\"quoted\\\"\", \"keep_alive\":\"5m\","
                + " \"options\":{\"temperature\":0.10,\"stop\":[\"\\n\"]}, \"raw\":true}";
        String sent = new String(
                streaming.rewrite(KeepAliveRoute.GENERATE, body.getBytes(StandardCharsets.UTF_8)).body(),
                StandardCharsets.UTF_8);
        assertThat(sent).isEqualTo("{\"model\":\"pinned\",\"prompt\":\"caf\\u00e9 \\\"quoted\\\"\","
                + "\"options\":{\"temperature\":0.10,\"stop\":[\"\\n\"],\"num_ctx\":8192},\"raw\":true,\"keep_alive\":\"1h\"}");
    }

    @Test
    void theModelOfACompatibleRequestIsTheLastSpelling() {
        assertThat(
                streaming.model("{\"model\":\"a\",\"MODEL\":\"b\",\"messages\":[]}".getBytes(StandardCharsets.UTF_8)))
            .contains("b");
        assertThat(streaming.model("{\"model\":\"a\",\"Model\":1}".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(streaming.model("not json".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    private void assertSame(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        RequestRewriter.Rewrite actual = streaming.rewrite(KeepAliveRoute.GENERATE, body);
        RequestRewriter.Rewrite expected = tree.rewrite(KeepAliveRoute.GENERATE, body);
        assertThat(actual.decision()).as(text).isEqualTo(expected.decision());
        assertThat(actual.model()).as(text).isEqualTo(expected.model());
        assertThat(actual.header()).as(text).isEqualTo(expected.header());
        assertThat(actual.body() == body).as("untouched: %s", text).isEqualTo(expected.body() == body);
        if (expected.body() != body) {
            assertThat(tree(actual.body())).as(text).isEqualTo(tree(expected.body()));
        }
    }

    private static Map<String, JsonNode> tree(byte[] body) {
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        JSON.readTree(body).properties().forEach(field -> fields.put(field.getKey(), field.getValue()));
        return fields;
    }

}
