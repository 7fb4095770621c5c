package dev.keepwarm.adaptive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which adaptive models get a shortened keep_alive when together they would hold more
 * than {@code memory-budget} (issue 14 item 4), greedily as FaaSCache's Greedy-Dual keeps
 * what is used often and costly to load, per byte (Fuerst and Sharma, ASPLOS 2021): the
 * model of least expected value per byte, {@code usesPerHour * loadTime seconds / bytes},
 * first, until the rest fit. Equal values go larger first (it frees more), then by name.
 * A model of zero bytes is never cut (it frees nothing). Models the caller marks pinned
 * (warm rules) count neither against the budget nor as candidates: the budget is for what
 * adaptive mode holds beyond them.
 */
public final class MemoryBudget {

    private MemoryBudget() {
    }

    /**
     * The models to shorten, in the order they were chosen.
     * @param residents the models adaptive mode would keep resident, names unique
     * @param budgetBytes the most they may hold together
     */
    public static Plan fit(Collection<Resident> residents, long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("memory budget must not be negative, not " + budgetBytes);
        }
        Set<String> names = new HashSet<>();
        long held = 0;
        List<Resident> candidates = new ArrayList<>();
        for (Resident resident : residents) {
            if (!names.add(resident.model())) {
                throw new IllegalArgumentException("model " + resident.model() + " is listed twice");
            }
            if (!resident.pinned()) {
                held = Math.addExact(held, resident.bytes());
                if (resident.bytes() > 0) {
                    candidates.add(resident);
                }
            }
        }
        candidates.sort(Comparator.comparingDouble(Resident::valuePerByte)
            .thenComparing(Comparator.comparingLong(Resident::bytes).reversed())
            .thenComparing(Resident::model));
        List<String> shortened = new ArrayList<>();
        for (Resident resident : candidates) {
            if (held <= budgetBytes) {
                break;
            }
            shortened.add(resident.model());
            held -= resident.bytes();
        }
        return new Plan(shortened, held);
    }

    /**
     * A model adaptive mode would keep resident.
     *
     * @param model its name
     * @param bytes its size in memory ({@code size_vram} from /api/ps)
     * @param usesPerHour how often it is used
     * @param loadTime how long it takes to load: what a cold start costs
     * @param pinned whether a warm rule pins it: never shortened
     */
    public record Resident(String model, long bytes, double usesPerHour, Duration loadTime, boolean pinned) {

        public Resident {
            if (bytes < 0 || !(usesPerHour >= 0) || Double.isInfinite(usesPerHour) || loadTime.isNegative()) {
                throw new IllegalArgumentException("size (" + bytes + "), uses per hour (" + usesPerHour
                        + ") and load time (" + loadTime + ") of " + model + " must be finite and not negative");
            }
        }

        /** Expected cold-start seconds saved per hour per byte held. */
        double valuePerByte() {
            return this.usesPerHour * (this.loadTime.toNanos() / 1e9) / this.bytes;
        }

    }

    /**
     * What the budget cuts.
     *
     * @param shortened the models whose keep_alive is shortened, least value per byte
     * first
     * @param heldBytes what the unpinned models left hold; above the budget only when
     * nothing more can be cut
     */
    public record Plan(List<String> shortened, long heldBytes) {

        public Plan {
            shortened = List.copyOf(shortened);
        }

        /** Whether the model's keep_alive is shortened. */
        public boolean shortens(String model) {
            return this.shortened.contains(model);
        }

    }

}
