package dev.keepwarm.metrics;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.LoadRoute;
import dev.keepwarm.policy.Mode;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.Policies;
import dev.keepwarm.policy.PolicyProperties;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.WarmState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model tag stays a bounded set: only models a rule names get a value of their own,
 * at most max of them.
 */
class ModelTagsTest {

    private static ModelTags tags(int max, String... matches) {
        List<ModelRule> rules = java.util.Arrays.stream(matches)
            .map(match -> new ModelRule(match, KeepAlive.FOREVER, Mode.OVERRIDE, null, null, false, true, Map.of(),
                    LoadRoute.AUTO, null))
            .toList();
        return new ModelTags(new PolicySource(new Policies(new PolicyProperties(null, rules))), new WarmState(), max);
    }

    @Test
    void modelARuleNamesIsTaggedWithItsNormalisedName() {
        ModelTags tags = tags(100, "llama3.2");

        assertThat(tags.tag("llama3.2")).isEqualTo("llama3.2:latest");
        assertThat(tags.tag("Llama3.2:latest")).isEqualTo("llama3.2:latest");
        assertThat(tags.tag("registry.ollama.ai/library/llama3.2")).isEqualTo("llama3.2:latest");
    }

    @Test
    void modelNoRuleNamesAndOllamaNeverListedIsTaggedOther() {
        ModelTags tags = tags(100, "llama3.2");

        assertThat(tags.tag("made-up-model")).isEqualTo(ModelTags.OTHER);
        assertThat(tags.tag("llama3.2:1b")).as("another tag of a named model is another model")
            .isEqualTo(ModelTags.OTHER);
    }

    @Test
    void modelsBeyondTheMaximumAreTaggedOtherAndTheAdmittedOnesKeepTheirTags() {
        // a glob: every name a client sends is governed by a rule
        ModelTags tags = tags(1024, "*");

        List<String> first = IntStream.range(0, 1024).mapToObj(i -> tags.tag("client-model-" + i)).toList();

        assertThat(first).doesNotContain(ModelTags.OTHER).doesNotHaveDuplicates();
        assertThat(tags.tag("client-model-1024")).as("the 1025th model").isEqualTo(ModelTags.OTHER);
        assertThat(tags.tag("client-model-5000")).isEqualTo(ModelTags.OTHER);
        assertThat(tags.tag("client-model-0")).isEqualTo("client-model-0:latest");
        assertThat(tags.tag("CLIENT-MODEL-1023")).as("a new spelling of an admitted model")
            .isEqualTo("client-model-1023:latest");
    }

    @Test
    void inventedNamesCannotGrowTheTagSet() {
        ModelTags tags = tags(3, "*");

        long distinct = IntStream.range(0, 10_000).mapToObj(i -> tags.tag("m" + i + ":" + i)).distinct().count();

        assertThat(distinct).isEqualTo(3 + 1); // three admitted models and other
    }

    @Test
    void spellingsBeyondTheCacheStillGetTheRightTag() {
        ModelTags tags = tags(10, "llama3.2:*");

        for (int i = 0; i < 5000; i++) { // more distinct spellings than ModelTags caches
            assertThat(tags.tag(" ".repeat(i / 64) + mixedCase("llama3.2:1b", i % 64))).isEqualTo("llama3.2:1b");
        }
        assertThat(tags.tag("qwen3")).isEqualTo(ModelTags.OTHER);
    }

    /** The name with its n-th pattern of upper-case letters. */
    private static String mixedCase(String name, int pattern) {
        StringBuilder spelled = new StringBuilder();
        int letter = 0;
        for (char c : name.toCharArray()) {
            boolean upper = Character.isLetter(c) && (pattern >> letter++ & 1) == 1;
            spelled.append(upper ? Character.toUpperCase(c) : c);
        }
        return spelled.toString();
    }

}
