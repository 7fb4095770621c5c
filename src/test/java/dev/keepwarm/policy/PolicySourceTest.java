package dev.keepwarm.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policies in effect, swapped atomically, and the listeners that hear of each swap.
 */
class PolicySourceTest {

    private final Policies initial = policies("llama3.2:1b");

    private final PolicySource source = new PolicySource(initial);

    @Test
    void currentIsTheInitialPoliciesUntilReplaced() {
        assertThat(source.current()).isSameAs(initial);

        Policies next = policies("qwen3:8b");
        source.replace(next);

        assertThat(source.current()).isSameAs(next);
    }

    @Test
    void listenersHearEachReplacementAfterTheSwap() {
        List<Policies> heard = new ArrayList<>();
        List<Policies> currentWhenHeard = new ArrayList<>();
        source.addListener(heard::add);
        source.addListener(policies -> currentWhenHeard.add(source.current()));
        Policies first = policies("qwen3:8b");
        Policies second = policies("phi4:14b");

        source.replace(first);
        source.replace(second);

        assertThat(heard).containsExactly(first, second);
        assertThat(currentWhenHeard).containsExactly(first, second);
    }

    @Test
    void listenerAddedLaterHearsOnlyLaterReplacements() {
        source.replace(policies("qwen3:8b"));
        List<Policies> heard = new ArrayList<>();

        source.addListener(heard::add);

        assertThat(heard).isEmpty();
    }

    @Test
    void failingListenerKeepsNeitherTheSwapNorTheOtherListenersFromHappening() {
        List<Policies> heard = new ArrayList<>();
        source.addListener(policies -> {
            throw new IllegalStateException("listener bug");
        });
        source.addListener(heard::add);
        Policies next = policies("qwen3:8b");

        source.replace(next);

        assertThat(source.current()).isSameAs(next);
        assertThat(heard).containsExactly(next);
    }

    private static Policies policies(String match) {
        return new Policies(new PolicyProperties(null, List.of(new ModelRule(match, KeepAlive.FOREVER, Mode.OVERRIDE,
                null, null, true, true, Map.of(), LoadRoute.AUTO, null))));
    }

}
