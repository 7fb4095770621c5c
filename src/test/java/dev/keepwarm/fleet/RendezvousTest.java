package dev.keepwarm.fleet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.keepwarm.policy.ModelName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Rendezvous order: the same on every replica (golden values), independent of input
 * order, minimal movement when a host leaves, and an even spread.
 */
class RendezvousTest {

    private static final List<String> THREE = List.of("gpu0", "gpu1", "gpu2");

    private static final List<String> MODELS = IntStream.range(0, 10_000)
        .mapToObj((i) -> "model-" + i + ":7b")
        .toList();

    @Test
    void fnv1a64MatchesThePublishedTestVectors() {
        assertThat(Rendezvous.fnv1a64("")).isEqualTo(0xcbf29ce484222325L);
        assertThat(Rendezvous.fnv1a64("a")).isEqualTo(0xaf63dc4c8601ec8cL);
        assertThat(Rendezvous.fnv1a64("foobar")).isEqualTo(0x85944171f73967e8L);
    }

    /**
     * Every keepwarm replica must compute these; the weights were cross-checked with an
     * independent implementation (Python) of FNV-1a-64 + fmix64.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void weightsAndOrderAreTheGoldenValues(String model, List<String> order, long gpu0, long gpu1, long gpu2) {
        String normalized = ModelName.normalize(model);
        assertThat(List.of(Rendezvous.weight("gpu0", normalized), Rendezvous.weight("gpu1", normalized),
                Rendezvous.weight("gpu2", normalized)))
            .containsExactly(gpu0, gpu1, gpu2);
        assertThat(Rendezvous.order(model, THREE)).isEqualTo(order);
    }

    static Stream<Arguments> golden() {
        return Stream.of(
                Arguments.of("llama3.2:1b", List.of("gpu2", "gpu0", "gpu1"), 0x26e014d981737877L, 0x217f751af1468e9fL,
                        0xc5848dad18ee4033L),
                // gpu2's weight is negative as a signed long: a signed comparison would
                // put it last
                Arguments.of("qwen3:8b", List.of("gpu2", "gpu1", "gpu0"), 0x21ab517cf6538316L, 0x734c7641ac1dfca2L,
                        0xc779ceb07d512044L),
                Arguments.of("nomic-embed-text", List.of("gpu1", "gpu0", "gpu2"), 0xa78906c0d9b87421L,
                        0xfea4f0805d1860eaL, 0x044024c851e57907L));
    }

    @Test
    void orderDoesNotDependOnTheOrderHostsAreGivenIn() {
        List<String> hosts = new ArrayList<>(List.of("a", "b", "c", "d", "e"));
        Random random = new Random(13);
        for (String model : MODELS.subList(0, 200)) {
            List<String> expected = Rendezvous.order(model, hosts);
            Collections.shuffle(hosts, random);
            assertThat(Rendezvous.order(model, hosts)).as(model).isEqualTo(expected);
        }
    }

    @Test
    void modelNamesAreComparedNormalized() {
        assertThat(Rendezvous.order("Llama3.2", THREE)).isEqualTo(Rendezvous.order("llama3.2:latest", THREE))
            .isEqualTo(Rendezvous.order("registry.ollama.ai/library/llama3.2", THREE));
    }

    @Test
    void aHostListedTwiceAppearsOnceAndNoHostsGiveNoOrder() {
        assertThat(Rendezvous.order("qwen3:8b", List.of("gpu0", "gpu2", "gpu0"))).containsExactly("gpu2", "gpu0");
        assertThat(Rendezvous.order("qwen3:8b", List.of())).isEmpty();
    }

    @Test
    void removingAHostMovesOnlyTheModelsThatWereFirstOnIt() {
        List<String> four = List.of("gpu0", "gpu1", "gpu2", "gpu3");
        List<String> withoutGpu1 = List.of("gpu0", "gpu2", "gpu3");
        int moved = 0;
        for (String model : MODELS) {
            String before = Rendezvous.order(model, four).get(0);
            String after = Rendezvous.order(model, withoutGpu1).get(0);
            if (before.equals("gpu1")) {
                moved++;
                // the next host in the old order takes it
                assertThat(after).isEqualTo(Rendezvous.order(model, four).get(1));
            }
            else {
                assertThat(after).as(model).isEqualTo(before);
            }
        }
        assertThat(moved / (double) MODELS.size()).isCloseTo(0.25, within(0.02));
    }

    @Test
    void threeHostsEachGetAboutAThirdOfTheModels() {
        Map<String, Integer> first = new HashMap<>();
        MODELS.forEach((model) -> first.merge(Rendezvous.order(model, THREE).get(0), 1, Integer::sum));
        assertThat(first).containsOnlyKeys(THREE);
        first.values().forEach((count) -> assertThat(count / (double) MODELS.size()).isCloseTo(1 / 3.0, within(0.02)));
    }

}
