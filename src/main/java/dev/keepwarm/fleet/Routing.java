package dev.keepwarm.fleet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import dev.keepwarm.policy.ModelName;

/**
 * The host for one request that names a model: issue 13's "Routing", steps 1 to 4. Among
 * the healthy hosts that have the model (in their catalogue, or resident):
 * <ol>
 * <li>{@link Reason#RESIDENT} hosts, where it runs with the runner options the request
 * needs, the ones its placement chose first, least in-flight requests first;</li>
 * <li>then {@link Reason#PLACED} hosts, the ones its warm rule's placement chose, least
 * in-flight first;</li>
 * <li>then {@link Reason#HASHED} hosts, in {@link Rendezvous} order of the model name, so
 * every keepwarm replica loads an unplaced model on the same host, once.</li>
 * </ol>
 * Within each step, a host where the model is not resident and loading it would evict a
 * pinned copy ({@link Host#room() no room}) comes after every host with room: an unpinned
 * model never throws a pinned copy out while another host can take it. Equal in-flight
 * counts go by rendezvous order. A host that lacks the model is never chosen while
 * another healthy host has it; when none has it, every healthy host is
 * {@link Reason#HASHED} in rendezvous order (Ollama then answers its own 404, or pulls).
 * {@link #order} is the whole preference list: "a connection that fails before anything
 * was sent is retried on the next host" is {@link #next}. Empty when no host is healthy.
 */
public final class Routing {

    private Routing() {
    }

    /** The preferred host for the model, empty when no healthy host may serve it. */
    public static Optional<Route> choose(String model, Collection<Host> hosts, Collection<String> placed) {
        return order(model, hosts, placed).stream().findFirst();
    }

    /**
     * The most preferred host not yet tried, for a retry after a connection failed before
     * anything was sent; empty when every eligible host was tried.
     */
    public static Optional<Route> next(String model, Collection<Host> hosts, Collection<String> placed,
            Set<String> tried) {
        return order(model, hosts, placed).stream().filter((route) -> !tried.contains(route.host())).findFirst();
    }

    /**
     * Every eligible host in preference order, each with the reason it is there.
     * @param model the model the request names
     * @param hosts every host, healthy or not; names unique
     * @param placed the hosts the model's placement chose; empty when no warm rule has it
     */
    public static List<Route> order(String model, Collection<Host> hosts, Collection<String> placed) {
        String name = ModelName.normalize(model);
        List<String> names = new ArrayList<>(hosts.size());
        boolean anyHasIt = false;
        for (Host host : hosts) {
            names.add(host.name());
            anyHasIt |= host.has(name);
        }
        List<String> preference = Rendezvous.order(name, names);
        if (preference.size() != hosts.size()) {
            throw new IllegalArgumentException("host names must be unique: " + hosts);
        }
        // every request is routed: each host's keys are computed once and compared as
        // plain values, no comparator chain over the hosts
        List<Ranked> ranked = new ArrayList<>(hosts.size());
        for (Host host : hosts) {
            if (host.healthy() && (!anyHasIt || host.has(name))) {
                ranked.add(Ranked.of(host, placed, preference.indexOf(host.name())));
            }
        }
        ranked.sort(null);
        List<Route> routes = new ArrayList<>(ranked.size());
        for (Ranked host : ranked) {
            routes.add(new Route(host.name(), host.reason()));
        }
        return Collections.unmodifiableList(routes);
    }

    /**
     * A healthy candidate's sort keys, most significant first: why it would serve; of the
     * resident copies, the placed ones first (a copy beyond the rule's replicas is
     * demoted and should expire, not serve while the kept copies can); a host where a
     * load would evict a pinned copy last; fewer requests in flight, except among hashed
     * hosts; then rendezvous rank.
     */
    private record Ranked(String name, Reason reason, boolean demoted, boolean noRoom, int load,
            int rank) implements Comparable<Ranked> {

        static Ranked of(Host host, Collection<String> placed, int rank) {
            Reason reason = Routing.reason(host, placed);
            boolean demoted = host.resident() && !placed.isEmpty() && !placed.contains(host.name());
            boolean noRoom = !host.resident() && !host.room();
            return new Ranked(host.name(), reason, demoted, noRoom, reason != Reason.HASHED ? host.inFlight() : 0,
                    rank);
        }

        @Override
        public int compareTo(Ranked other) {
            int by = reason.compareTo(other.reason);
            if (by == 0) {
                by = Boolean.compare(demoted, other.demoted);
            }
            if (by == 0) {
                by = Boolean.compare(noRoom, other.noRoom);
            }
            if (by == 0) {
                by = Integer.compare(load, other.load);
            }
            return by != 0 ? by : Integer.compare(rank, other.rank);
        }

    }

    private static Reason reason(Host host, Collection<String> placed) {
        if (host.resident()) {
            return Reason.RESIDENT;
        }
        return placed.contains(host.name()) ? Reason.PLACED : Reason.HASHED;
    }

    /**
     * One host as routing sees it for this request.
     *
     * @param name the host's name
     * @param healthy whether it may be sent requests (its breaker is not open)
     * @param resident whether the model runs there now with the runner options the
     * request needs
     * @param inFlight the requests it is answering now
     * @param catalogue its /api/tags
     * @param room whether the model can be loaded there without evicting a pinned copy
     * (the pinned models there leave a slot of {@code max-loaded} and enough
     * {@code memory}); only asked when the model is not resident there
     */
    public record Host(String name, boolean healthy, boolean resident, int inFlight, ModelSizes catalogue,
            boolean room) {

        public Host {
            if (inFlight < 0) {
                throw new IllegalArgumentException("in-flight requests of " + name + " must not be negative");
            }
        }

        /** A host with room for the model. */
        public Host(String name, boolean healthy, boolean resident, int inFlight, ModelSizes catalogue) {
            this(name, healthy, resident, inFlight, catalogue, true);
        }

        boolean has(String model) {
            return this.resident || this.catalogue.has(model);
        }

    }

    /** Why a host was chosen: the {@code reason} tag of {@code keepwarm_routed_total}. */
    public enum Reason {

        /** The model runs there with the options the request needs. */
        RESIDENT,

        /** The model's placement chose it. */
        PLACED,

        /** Rendezvous order of the model name. */
        HASHED;

        /** The metric tag value. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }

    }

    /**
     * A host to send the request to.
     *
     * @param host the host's name
     * @param reason why it is there
     */
    public record Route(String host, Reason reason) {
    }

}
