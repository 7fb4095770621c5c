package dev.keepwarm.adaptive;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import dev.keepwarm.adaptive.MemoryBudget.Plan;
import dev.keepwarm.adaptive.MemoryBudget.Resident;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The memory budget as a table: the models adaptive mode would keep resident and a budget
 * in, the models whose keep_alive is shortened (in the order chosen) and what the rest
 * hold out.
 */
class MemoryBudgetTest {

    private static final long GB = 1L << 30;

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void theLeastValuablePerByteAreShortenedFirst(String label, List<Resident> residents, long budget,
            List<String> shortened, long held) {
        Plan plan = MemoryBudget.fit(residents, budget);
        assertThat(plan.shortened()).containsExactlyElementsOf(shortened);
        assertThat(plan.heldBytes()).isEqualTo(held);
        shortened.forEach((model) -> assertThat(plan.shortens(model)).isTrue());
        residents.stream()
            .filter((resident) -> !shortened.contains(resident.model()))
            .forEach((resident) -> assertThat(plan.shortens(resident.model())).isFalse());
    }

    static Stream<Arguments> table() {
        return Stream.of(
                row("within budget nothing is shortened", List.of(model("llama", 4, 6, 10), model("qwen", 5, 1, 20)),
                        9 * GB, List.of(), 9 * GB),
                row("a rarely used model goes before a frequently used one of the same size",
                        List.of(model("daily", 4, 1.0 / 24, 10), model("hourly", 4, 1, 10)), 6 * GB, List.of("daily"),
                        4 * GB),
                row("a model quick to load goes before one slow to load",
                        List.of(model("slow", 4, 1, 30), model("quick", 4, 1, 2)), 6 * GB, List.of("quick"), 4 * GB),
                row("a big model goes before a small one used as often",
                        List.of(model("big", 16, 2, 20), model("small", 2, 2, 5)), 10 * GB, List.of("big"), 2 * GB),
                row("shortened until the rest fit, least value per byte first",
                        List.of(model("a", 4, 4, 10), model("b", 4, 1, 10), model("c", 4, 2, 10), model("d", 4, 8, 10)),
                        8 * GB, List.of("b", "c"), 8 * GB),
                row("warm-pinned models are never shortened and do not count against the budget",
                        List.of(pinned("pinned", 40), model("rare", 4, 0.1, 10), model("often", 4, 10, 10)), 8 * GB,
                        List.of(), 8 * GB),
                row("a pinned model is not shortened even when it alone exceeds the budget",
                        List.of(pinned("pinned", 40), model("often", 4, 10, 10)), 2 * GB, List.of("often"), 0),
                row("a model never used is shortened first",
                        List.of(model("used", 8, 0.5, 10), model("unused", 1, 0, 60)), 8 * GB, List.of("unused"),
                        8 * GB),
                row("equal value per byte: the larger goes first, then by name",
                        List.of(model("small", 2, 1, 10), model("large", 4, 1, 20), model("also-small", 2, 1, 10)),
                        3 * GB, List.of("large", "also-small"), 2 * GB),
                row("a budget of 0 shortens every model that holds memory",
                        List.of(model("a", 1, 1, 1), model("nothing", 0, 1, 1)), 0, List.of("a"), 0),
                row("no models", List.of(), 0, List.of(), 0));
    }

    @Test
    void badInputIsRejectedWithTheModelsName() {
        assertThatIllegalArgumentException()
            .isThrownBy(() -> MemoryBudget.fit(List.of(model("a", 1, 1, 1), model("a", 2, 1, 1)), GB))
            .withMessage("model a is listed twice");
        assertThatIllegalArgumentException().isThrownBy(() -> MemoryBudget.fit(List.of(), -1))
            .withMessageContaining("not -1");
        assertThatIllegalArgumentException().isThrownBy(() -> new Resident("b", -1, 1, Duration.ZERO, false))
            .withMessageContaining("of b must be finite and not negative");
        assertThatIllegalArgumentException().isThrownBy(() -> new Resident("b", 1, Double.NaN, Duration.ZERO, false));
        assertThatIllegalArgumentException()
            .isThrownBy(() -> new Resident("b", 1, Double.POSITIVE_INFINITY, Duration.ZERO, false));
        assertThatIllegalArgumentException().isThrownBy(() -> new Resident("b", 1, 1, Duration.ofSeconds(-1), false));
    }

    private static Arguments row(String label, List<Resident> residents, long budget, List<String> shortened,
            long held) {
        return Arguments.of(label, residents, budget, shortened, held);
    }

    private static Resident model(String name, long gigabytes, double usesPerHour, long loadSeconds) {
        return new Resident(name, gigabytes * GB, usesPerHour, Duration.ofSeconds(loadSeconds), false);
    }

    private static Resident pinned(String name, long gigabytes) {
        return new Resident(name, gigabytes * GB, 0, Duration.ofSeconds(30), true);
    }

}
