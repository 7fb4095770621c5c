package dev.keepwarm.fleet;

import dev.keepwarm.policy.Replicas;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;

import dev.keepwarm.fleet.Placement.Copy;
import dev.keepwarm.fleet.Placement.Host;
import dev.keepwarm.fleet.Placement.Plan;
import dev.keepwarm.fleet.Placement.Reason;
import dev.keepwarm.fleet.Placement.Rule;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Placement of warm rules over hosts. The rendezvous orders these cases rely on are
 * checked first: llama3.2:1b prefers gpu2, gpu0, gpu1; qwen3:8b gpu2, gpu1, gpu0.
 */
class PlacementTest {

    private static final long GB = 1L << 30;

    private static final String LLAMA = "llama3.2:1b";

    private static final String QWEN = "qwen3:8b";

    private static final String NOMIC = "nomic-embed-text:latest";

    private static final Map<String, Long> ALL_MODELS = Map.of(LLAMA, 2 * GB, QWEN, 6 * GB, NOMIC, GB);

    @Test
    void rendezvousOrdersTheseCasesRelyOn() {
        List<String> hosts = List.of("gpu0", "gpu1", "gpu2");
        assertThat(Rendezvous.order(LLAMA, hosts)).containsExactly("gpu2", "gpu0", "gpu1");
        assertThat(Rendezvous.order(QWEN, hosts)).containsExactly("gpu2", "gpu1", "gpu0");
        assertThat(Rendezvous.order(NOMIC, hosts)).containsExactly("gpu1", "gpu0", "gpu2");
    }

    @Test
    void eachRuleGoesToItsFirstRendezvousHosts() {
        Plan plan = Placement.plan(rules(rule(LLAMA, 2), rule(QWEN, 1), rule(NOMIC, 1)), fleet("gpu0", "gpu1", "gpu2"));
        assertThat(plan.hostsFor(LLAMA)).containsExactly("gpu2", "gpu0");
        assertThat(plan.hostsFor(QWEN)).containsExactly("gpu2");
        assertThat(plan.hostsFor("Nomic-Embed-Text")).containsExactly("gpu1");
        assertThat(plan.hostsFor("phi4")).isEmpty();
        assertThat(plan.shortfalls()).isEmpty();
        assertThat(plan.demoted()).isEmpty();
    }

    @Test
    void twoReplicasSeeingTheSameFleetInDifferentOrdersComputeTheSamePlan() {
        List<Rule> rules = rules(rule(LLAMA, 2), rule(QWEN, 1), rule(NOMIC, 1), rule("phi4", 1));
        List<Host> one = new ArrayList<>();
        List<Host> other = new ArrayList<>();
        Random random = new Random(13);
        for (String name : List.of("gpu0", "gpu1", "gpu2", "gpu3")) {
            Map<String, Long> resident = name.equals("gpu1") ? Map.of(QWEN, 7 * GB, LLAMA, 2 * GB) : Map.of();
            Map<String, Long> catalogue = name.equals("gpu3") ? Map.of(LLAMA, 2 * GB) : ALL_MODELS;
            one.add(new Host(name, OptionalLong.of(8 * GB), 2, sizes(catalogue, random), sizes(resident, random)));
            other.add(new Host(name, OptionalLong.of(8 * GB), 2, sizes(catalogue, random), sizes(resident, random)));
        }
        Collections.shuffle(other, random);
        Plan plan = Placement.plan(rules, one);
        assertThat(Placement.plan(rules, other)).isEqualTo(plan).hasToString(plan.toString());
        assertThat(plan.shortfalls()).isNotEmpty();
    }

    @Test
    void aModelResidentOnAnotherHostStaysThereWhenItsFirstHostReturns() {
        // gpu2 was down, llama3.2:1b failed over to gpu0 and runs there; gpu2 is back
        Host gpu0 = Host.of("gpu0", sizes(ALL_MODELS), sizes(Map.of(LLAMA, 2 * GB)));
        Plan plan = Placement.plan(rules(rule(LLAMA, 1)), List.of(gpu0, host("gpu1"), host("gpu2")));
        assertThat(plan.hostsFor(LLAMA)).containsExactly("gpu0");
        assertThat(plan.demoted()).isEmpty();
    }

    @Test
    void failoverPlacesTheModelsOfAFailedHostOnTheNextRendezvousHostWithRoom() {
        List<Rule> rules = rules(rule(NOMIC, 1), rule(LLAMA, 1), rule(QWEN, 1));
        Plan before = Placement.plan(rules, fleet("gpu0", "gpu1", "gpu2"));
        assertThat(before.hostsFor(LLAMA)).containsExactly("gpu2");
        assertThat(before.hostsFor(QWEN)).containsExactly("gpu2");
        assertThat(before.hostsFor(NOMIC)).containsExactly("gpu1");
        // gpu2 fails; gpu1 holds one model at most, and nomic (resident, earlier rule)
        // has it
        Host gpu0 = host("gpu0");
        Host gpu1 = new Host("gpu1", OptionalLong.empty(), 1, sizes(ALL_MODELS), sizes(Map.of(NOMIC, GB)));
        Plan after = Placement.plan(rules, List.of(gpu0, gpu1));
        assertThat(after.hostsFor(LLAMA)).containsExactly("gpu0");
        // qwen3:8b's next host is gpu1, which is full: it goes on to gpu0
        assertThat(after.hostsFor(QWEN)).containsExactly("gpu0");
        assertThat(after.hostsFor(NOMIC)).containsExactly("gpu1");
    }

    @Test
    void aHostWhoseCatalogueLacksTheModelIsNeverChosen() {
        Host gpu2 = Host.of("gpu2", sizes(Map.of(QWEN, 6 * GB)), ModelSizes.NONE);
        Plan plan = Placement.plan(rules(rule(LLAMA, 1), rule("nomic-embed-text", Replicas.ALL)),
                List.of(host("gpu0"), host("gpu1"), gpu2));
        assertThat(plan.hostsFor(LLAMA)).containsExactly("gpu0");
        assertThat(plan.hostsFor(NOMIC)).containsExactly("gpu1", "gpu0");
        assertThat(plan.shortfalls()).singleElement()
            .satisfies((s) -> assertThat(s.missing()).containsExactly(Reason.NOT_IN_CATALOGUE));
    }

    @Test
    void memoryBudgetBindsAndRuleOrderDecidesWhoGetsTheHost() {
        // both want gpu2 first; together they need 8 GB, gpu2 offers 7 GB
        List<Host> hosts = List.of(new Host("gpu2", OptionalLong.of(7 * GB), 3, sizes(ALL_MODELS), ModelSizes.NONE),
                host("gpu0"));
        Plan llamaFirst = Placement.plan(rules(rule(LLAMA, 1), rule(QWEN, 1)), hosts);
        assertThat(llamaFirst.hostsFor(LLAMA)).containsExactly("gpu2");
        assertThat(llamaFirst.hostsFor(QWEN)).containsExactly("gpu0");
        Plan qwenFirst = Placement.plan(rules(rule(QWEN, 1), rule(LLAMA, 1)), hosts);
        assertThat(qwenFirst.hostsFor(QWEN)).containsExactly("gpu2");
        assertThat(qwenFirst.hostsFor(LLAMA)).containsExactly("gpu0");
    }

    @Test
    void maxLoadedBindsAndRuleOrderDecidesWhoGetsTheHost() {
        List<Host> hosts = List.of(new Host("gpu2", OptionalLong.empty(), 1, sizes(ALL_MODELS), ModelSizes.NONE),
                host("gpu0"));
        Plan plan = Placement.plan(rules(rule(QWEN, 1), rule(LLAMA, 1)), hosts);
        assertThat(plan.hostsFor(QWEN)).containsExactly("gpu2");
        assertThat(plan.hostsFor(LLAMA)).containsExactly("gpu0");
    }

    @Test
    void aModelsSizeIsItsSizeVramWhereItRunsNotItsCatalogueSize() {
        // qwen3:8b is 6 GB in /api/tags but takes 9 GB of VRAM on gpu1 (a long context)
        Host gpu1 = Host.of("gpu1", sizes(ALL_MODELS), sizes(Map.of(QWEN, 9 * GB)));
        Host gpu2 = new Host("gpu2", OptionalLong.of(8 * GB), 3, sizes(ALL_MODELS), ModelSizes.NONE);
        Plan plan = Placement.plan(rules(rule(QWEN, 2)), List.of(gpu1, gpu2, host("gpu0")));
        assertThat(plan.hostsFor(QWEN)).containsExactly("gpu1", "gpu0");
        Plan withoutVram = Placement.plan(rules(rule(QWEN, 2)), List.of(host("gpu1"), gpu2, host("gpu0")));
        assertThat(withoutVram.hostsFor(QWEN)).containsExactly("gpu2", "gpu1");
    }

    @Test
    void residentCopiesAreKeptBeforeAnEarlierRulesNewCopy() {
        Host gpu2 = new Host("gpu2", OptionalLong.empty(), 1, sizes(ALL_MODELS), sizes(Map.of(QWEN, 6 * GB)));
        Plan plan = Placement.plan(rules(rule(LLAMA, 1), rule(QWEN, 1)), List.of(host("gpu0"), host("gpu1"), gpu2));
        assertThat(plan.hostsFor(QWEN)).containsExactly("gpu2");
        assertThat(plan.hostsFor(LLAMA)).containsExactly("gpu0");
    }

    @Test
    void replicasAllKeepsTheModelOnEveryHostResidentCopiesFirst() {
        Host gpu1 = Host.of("gpu1", sizes(ALL_MODELS), sizes(Map.of(LLAMA, 2 * GB)));
        Plan plan = Placement.plan(rules(rule(LLAMA, Replicas.ALL)), List.of(host("gpu0"), gpu1, host("gpu2")));
        assertThat(plan.hostsFor(LLAMA)).containsExactly("gpu1", "gpu2", "gpu0");
        assertThat(plan.assignments()).singleElement().satisfies((a) -> assertThat(a.wanted()).isEqualTo(3));
    }

    @Test
    void aCopyBeyondReplicasIsDemotedAndAnUnpinnedModelIsNot() {
        Host gpu0 = Host.of("gpu0", sizes(ALL_MODELS), sizes(Map.of(LLAMA, 2 * GB)));
        Host gpu1 = Host.of("gpu1", sizes(ALL_MODELS), sizes(Map.of(LLAMA, 2 * GB, NOMIC, GB)));
        Plan plan = Placement.plan(rules(rule(LLAMA, 1)), List.of(gpu0, gpu1, host("gpu2")));
        assertThat(plan.hostsFor(LLAMA)).containsExactly("gpu0");
        assertThat(plan.demoted()).containsExactly(new Copy(LLAMA, "gpu1"));
    }

    @Test
    void aResidentCopyWithoutRoomIsDemotedToo() {
        // the memory budget was lowered below what the two resident pinned models take
        Host gpu2 = new Host("gpu2", OptionalLong.of(7 * GB), 3, sizes(ALL_MODELS),
                sizes(Map.of(LLAMA, 2 * GB, QWEN, 6 * GB)));
        Plan plan = Placement.plan(rules(rule(LLAMA, 1), rule(QWEN, 1)), List.of(gpu2, host("gpu1")));
        assertThat(plan.hostsFor(LLAMA)).containsExactly("gpu2");
        assertThat(plan.hostsFor(QWEN)).containsExactly("gpu1");
        assertThat(plan.demoted()).containsExactly(new Copy(QWEN, "gpu2"));
    }

    @Test
    void aRulePlacedOnFewerHostsThanWantedCarriesAReasonPerMissingCopy() {
        Host full = new Host("gpu0", OptionalLong.of(GB), 3, sizes(ALL_MODELS), ModelSizes.NONE);
        Host lacking = Host.of("gpu1", sizes(Map.of(NOMIC, GB)), ModelSizes.NONE);
        Plan plan = Placement.plan(rules(rule(LLAMA, 5), rule("phi4", 4), rule(NOMIC, 1)),
                List.of(full, lacking, host("gpu2")));
        assertThat(plan.shortfalls())
            .extracting(Placement.Assignment::model, Placement.Assignment::hosts, Placement.Assignment::missing)
            .containsExactly(
                    tuple(LLAMA, List.of("gpu2"),
                            List.of(Reason.NO_ROOM, Reason.NOT_IN_CATALOGUE, Reason.NOT_ENOUGH_HOSTS,
                                    Reason.NOT_ENOUGH_HOSTS)),
                    tuple("phi4:latest", List.of(), List.of(Reason.NOT_IN_ANY_CATALOGUE, Reason.NOT_IN_ANY_CATALOGUE,
                            Reason.NOT_IN_ANY_CATALOGUE, Reason.NOT_ENOUGH_HOSTS)));
        assertThat(plan.assignments().get(2).isMet()).isTrue();
    }

    @Test
    void withNoHealthyHostEveryRuleMissesAtLeastOneCopy() {
        Plan plan = Placement.plan(rules(rule(LLAMA, 2), rule(QWEN, Replicas.ALL)), List.of());
        assertThat(plan.shortfalls()).extracting(Placement.Assignment::missing)
            .containsExactly(List.of(Reason.NOT_ENOUGH_HOSTS, Reason.NOT_ENOUGH_HOSTS),
                    List.of(Reason.NOT_ENOUGH_HOSTS));
    }

    @Test
    void theFirstOfTwoRulesForOneModelCountsAndNamesAreNormalized() {
        Plan plan = Placement.plan(rules(rule("Llama3.2:1b", 1), rule(LLAMA, 3)), fleet("gpu0", "gpu1", "gpu2"));
        assertThat(plan.assignments()).singleElement().satisfies((a) -> {
            assertThat(a.model()).isEqualTo(LLAMA);
            assertThat(a.hosts()).containsExactly("gpu2");
        });
    }

    @Test
    void badHostsAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> Placement.plan(List.of(), fleet("gpu0", "gpu0")))
            .withMessageContaining("gpu0");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> new Host("gpu0", OptionalLong.empty(), 0, ModelSizes.NONE, ModelSizes.NONE));
        assertThatIllegalArgumentException()
            .isThrownBy(() -> new Host("gpu0", OptionalLong.of(-1), 3, ModelSizes.NONE, ModelSizes.NONE));
        assertThatIllegalArgumentException().isThrownBy(() -> Host.of(" ", ModelSizes.NONE, ModelSizes.NONE));
    }

    private static List<Rule> rules(Rule... rules) {
        return List.of(rules);
    }

    private static Rule rule(String model, int replicas) {
        return new Rule(model, new Replicas(replicas));
    }

    private static Rule rule(String model, Replicas replicas) {
        return new Rule(model, replicas);
    }

    /** A host with every model in its catalogue, nothing running, no memory budget. */
    private static Host host(String name) {
        return Host.of(name, sizes(ALL_MODELS), ModelSizes.NONE);
    }

    private static List<Host> fleet(String... names) {
        return List.of(names).stream().map(PlacementTest::host).toList();
    }

    private static ModelSizes sizes(Map<String, Long> bytes) {
        return new ModelSizes(bytes);
    }

    /** The same sizes, inserted in a random order (what a JSON decoder might give). */
    private static ModelSizes sizes(Map<String, Long> bytes, Random random) {
        List<String> names = new ArrayList<>(bytes.keySet());
        Collections.shuffle(names, random);
        Map<String, Long> shuffled = new LinkedHashMap<>();
        names.forEach((name) -> shuffled.put(name, bytes.get(name)));
        return new ModelSizes(shuffled);
    }

}
