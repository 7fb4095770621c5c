package dev.keepwarm.fleet;

import dev.keepwarm.policy.Replicas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

import dev.keepwarm.policy.ModelName;

/**
 * Where each warm rule is kept warm: issue 13's "Placement of warm models". From what
 * every keepwarm replica sees alike (the rules in rule order, the healthy hosts, their
 * catalogues and /api/ps), so replicas agree without talking and load nothing twice:
 * <ol>
 * <li>First, for every rule in rule order, the hosts where its model is resident now, in
 * rendezvous order: resident copies are kept before any new copy is placed, so a model
 * that failed over to B stays on B when A returns (no flapping).</li>
 * <li>Then, rule by rule, further hosts in {@link Rendezvous} order of the model name up
 * to {@link Replicas#wanted}: when capacity binds, an earlier rule gets its copies
 * first.</li>
 * </ol>
 * A host is skipped when its catalogue lacks the model, or when the pinned set placed
 * there would exceed its {@code memory} or {@code max-loaded}. A model's size on a host
 * is its {@code size_vram} there if it runs there, else the largest {@code size_vram} of
 * a host where it runs, else that host's /api/tags size. Unpinned models do not count:
 * Ollama evicts them for a pinned one. A rule placed on fewer hosts than wanted carries a
 * {@link Reason} per missing copy; a resident copy that the plan does not keep is
 * {@link Plan#demoted() demoted} (it serves until its keep_alive ends). Names are
 * compared {@link ModelName#normalize normalized}; of two rules for the same model the
 * first counts.
 */
public final class Placement {

    private Placement() {
    }

    /**
     * Places the rules on the hosts.
     * @param rules the warm rules, in rule order
     * @param healthyHosts the healthy hosts, in any order; names unique
     */
    public static Plan plan(List<Rule> rules, Collection<Host> healthyHosts) {
        Map<String, Host> hosts = new TreeMap<>();
        for (Host host : healthyHosts) {
            if (hosts.put(host.name(), host) != null) {
                throw new IllegalArgumentException("host " + host.name() + " is listed twice");
            }
        }
        Map<String, Rule> distinct = new LinkedHashMap<>();
        rules.forEach((rule) -> distinct.putIfAbsent(rule.model(), rule));
        Pinned pinned = new Pinned(hosts);
        Map<String, List<String>> chosen = new LinkedHashMap<>();
        distinct.values().forEach((rule) -> chosen.put(rule.model(), new ArrayList<>()));
        for (Rule rule : distinct.values()) {
            place(rule, hosts, chosen.get(rule.model()), pinned, true);
        }
        for (Rule rule : distinct.values()) {
            place(rule, hosts, chosen.get(rule.model()), pinned, false);
        }
        List<Assignment> assignments = new ArrayList<>();
        List<Copy> demoted = new ArrayList<>();
        for (Rule rule : distinct.values()) {
            List<String> on = chosen.get(rule.model());
            assignments.add(assignment(rule, hosts, on));
            for (String host : Rendezvous.order(rule.model(), hosts.keySet())) {
                if (hosts.get(host).resident().has(rule.model()) && !on.contains(host)) {
                    demoted.add(new Copy(rule.model(), host));
                }
            }
        }
        return new Plan(assignments, demoted);
    }

    private static void place(Rule rule, Map<String, Host> hosts, List<String> on, Pinned pinned,
            boolean residentOnly) {
        int wanted = rule.replicas().wanted(hosts.size());
        for (String name : Rendezvous.order(rule.model(), hosts.keySet())) {
            Host host = hosts.get(name);
            boolean candidate = host.catalogue().has(rule.model())
                    && (!residentOnly || host.resident().has(rule.model()));
            if (on.size() < wanted && candidate && !on.contains(name) && pinned.tryPin(host, rule.model())) {
                on.add(name);
            }
        }
    }

    private static Assignment assignment(Rule rule, Map<String, Host> hosts, List<String> on) {
        int wanted = rule.replicas().wanted(hosts.size());
        int withModel = (int) hosts.values().stream().filter((host) -> host.catalogue().has(rule.model())).count();
        List<Reason> missing = new ArrayList<>();
        while (on.size() + missing.size() < wanted) {
            missing.add(reasonForNextMissing(missing.size(), withModel - on.size(), hosts.size() - withModel,
                    withModel == 0));
        }
        return new Assignment(rule.model(), wanted, on, missing);
    }

    /**
     * Every candidate not chosen had no room (placement would have taken it), so the
     * first missing copies are those; then the healthy hosts that lack the model; then
     * hosts that do not exist (fewer healthy hosts than wanted).
     */
    private static Reason reasonForNextMissing(int index, int noRoom, int lacking, boolean inNoCatalogue) {
        if (index < noRoom) {
            return Reason.NO_ROOM;
        }
        if (index < noRoom + lacking) {
            return inNoCatalogue ? Reason.NOT_IN_ANY_CATALOGUE : Reason.NOT_IN_CATALOGUE;
        }
        return Reason.NOT_ENOUGH_HOSTS;
    }

    /** The pinned set per host while a plan is built. */
    private static final class Pinned {

        private final Map<String, Long> largestResident = new HashMap<>();

        private final Map<String, Integer> count = new HashMap<>();

        private final Map<String, Long> bytes = new HashMap<>();

        Pinned(Map<String, Host> hosts) {
            hosts.values()
                .forEach((host) -> host.resident()
                    .bytes()
                    .forEach((model, size) -> this.largestResident.merge(model, size, Math::max)));
        }

        boolean tryPin(Host host, String model) {
            long size = host.resident()
                .size(model)
                .orElse(this.largestResident.getOrDefault(model, host.catalogue().size(model).orElse(0)));
            int models = this.count.getOrDefault(host.name(), 0) + 1;
            long used = this.bytes.getOrDefault(host.name(), 0L) + size;
            if (models > host.maxLoaded() || (host.memory().isPresent() && used > host.memory().getAsLong())) {
                return false;
            }
            this.count.put(host.name(), models);
            this.bytes.put(host.name(), used);
            return true;
        }

    }

    /**
     * A warm rule as placement sees it.
     *
     * @param model the model, stored normalized
     * @param replicas how many hosts to keep it warm on
     */
    public record Rule(String model, Replicas replicas) {

        public Rule {
            model = ModelName.normalize(model);
        }

    }

    /**
     * A healthy host and what placement needs of it.
     *
     * @param name the host's name (the {@code upstream} tag value)
     * @param memory what the pinned set may fill there (VRAM), in bytes; empty for no
     * limit
     * @param maxLoaded that host's {@code OLLAMA_MAX_LOADED_MODELS}
     * @param catalogue its /api/tags: model to {@code size}
     * @param resident its /api/ps: model to {@code size_vram}
     */
    public record Host(String name, OptionalLong memory, int maxLoaded, ModelSizes catalogue, ModelSizes resident) {

        /** {@code max-loaded} when it is not set, as Ollama's default. */
        public static final int DEFAULT_MAX_LOADED = 3;

        public Host {
            if (name.isBlank()) {
                throw new IllegalArgumentException("a host needs a name");
            }
            if (maxLoaded < 1) {
                throw new IllegalArgumentException("max-loaded of " + name + " must be at least 1, not " + maxLoaded);
            }
            if (memory.isPresent() && memory.getAsLong() < 0) {
                throw new IllegalArgumentException("memory of " + name + " must not be negative");
            }
        }

        /** A host without a memory budget and with the default {@code max-loaded}. */
        public static Host of(String name, ModelSizes catalogue, ModelSizes resident) {
            return new Host(name, OptionalLong.empty(), DEFAULT_MAX_LOADED, catalogue, resident);
        }

    }

    /** Why a wanted copy has no host, for the state endpoint and health. */
    public enum Reason {

        /**
         * A healthy host has the model but the pinned set there would exceed memory or
         * max-loaded.
         */
        NO_ROOM,

        /** A healthy host could hold the copy but its catalogue lacks the model. */
        NOT_IN_CATALOGUE,

        /** No healthy host's catalogue has the model. */
        NOT_IN_ANY_CATALOGUE,

        /**
         * Fewer healthy hosts than replicas (a host is down, or the fleet is that small).
         */
        NOT_ENOUGH_HOSTS

    }

    /**
     * One rule's placement.
     *
     * @param model the normalized model name
     * @param wanted the copies wanted among the healthy hosts
     * @param hosts the hosts to keep it warm on, resident copies first, then rendezvous
     * order
     * @param missing a reason per wanted copy without a host; empty when the rule is met
     */
    public record Assignment(String model, int wanted, List<String> hosts, List<Reason> missing) {

        public Assignment {
            hosts = List.copyOf(hosts);
            missing = List.copyOf(missing);
        }

        /** Whether every wanted copy has a host. */
        public boolean isMet() {
            return this.missing.isEmpty();
        }

    }

    /**
     * A warm model's copy on a host.
     *
     * @param model the normalized model name
     * @param host the host's name
     */
    public record Copy(String model, String host) {
    }

    /**
     * The placement of every warm rule.
     *
     * @param assignments one per rule, in rule order
     * @param demoted resident copies the plan does not keep: re-armed with the server's
     * default keep-alive, they serve until it ends
     */
    public record Plan(List<Assignment> assignments, List<Copy> demoted) {

        public Plan {
            assignments = List.copyOf(assignments);
            demoted = List.copyOf(demoted);
        }

        /** The hosts the model is kept warm on, empty when no rule names it. */
        public List<String> hostsFor(String model) {
            return assignment(model).map(Assignment::hosts).orElse(List.of());
        }

        /** The model's placement, empty when no rule names it. */
        public Optional<Assignment> assignment(String model) {
            String name = ModelName.normalize(model);
            return this.assignments.stream().filter((assignment) -> assignment.model().equals(name)).findFirst();
        }

        /** The rules placed on fewer hosts than wanted, in rule order. */
        public List<Assignment> shortfalls() {
            return this.assignments.stream().filter((assignment) -> !assignment.isMet()).toList();
        }

    }

}
