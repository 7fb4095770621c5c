package dev.keepwarm.warmer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

import dev.keepwarm.fleet.ModelSizes;
import dev.keepwarm.fleet.Routing;
import dev.keepwarm.proxy.HostRouter;

/**
 * Where a request for a model goes ({@link Routing#order} over what {@link FleetWarmer}'s
 * passes learnt): the hosts where it runs as the request needs it, then those its
 * placement chose, then by rendezvous hashing among the hosts that have it, hosts where
 * loading it would evict a pinned copy last. With one host, that host.
 */
public final class FleetRouter implements HostRouter {

    private final FleetWarmer fleet;

    FleetRouter(FleetWarmer fleet) {
        this.fleet = fleet;
    }

    @Override
    public boolean fleet() {
        return fleet.fleet();
    }

    @Override
    public List<String> healthy() {
        return fleet.healthy();
    }

    @Override
    public List<Routing.Route> route(String model, long numCtx, ToIntFunction<String> inFlight) {
        List<HostWarmer> warmers = fleet.warmers();
        if (!fleet.fleet()) {
            return List.of(new Routing.Route(warmers.get(0).host().name(), Routing.Reason.RESIDENT));
        }
        List<Routing.Host> candidates = new ArrayList<>();
        for (HostWarmer warmer : warmers) {
            String name = warmer.host().name();
            boolean resident = warmer.state().model(model).filter(state -> runs(state, numCtx)).isPresent();
            // a host not heard from yet may have the model: it is not ruled out for one
            // that was
            ModelSizes catalogue = fleet.catalogue(name).orElseGet(() -> new ModelSizes(Map.of(model, 0L)));
            candidates.add(new Routing.Host(name, fleet.healthy(warmer.host()), resident, inFlight.applyAsInt(name),
                    catalogue, resident || room(warmer, catalogue.size(model).orElse(0))));
        }
        return Routing.order(model, candidates, fleet.plan().hostsFor(model));
    }

    /**
     * Whether one more model of this size can be loaded on the host without evicting a
     * pinned copy: Ollama evicts an idle model when {@code max-loaded} or memory binds,
     * and a pinned copy too when only pinned ones are left (OLLAMA-API.md, "Loads that
     * throw a pinned model out").
     */
    private static boolean room(HostWarmer warmer, long size) {
        WarmState.Pinned pinned = warmer.state().pinned();
        if (pinned.count() + 1 > warmer.host().maxLoaded()) {
            return false;
        }
        long bytes = size + pinned.bytes();
        return warmer.host().memory().isEmpty() || bytes <= warmer.host().memory().getAsLong();
    }

    /**
     * Whether the model runs there as the request needs it: a request with another
     * num_ctx than the runner's would reload it (OLLAMA-API.md, "Loads that throw a
     * pinned model out").
     */
    private static boolean runs(ModelState state, long numCtx) {
        int context = state.residency().contextLength();
        return state.resident() && (numCtx <= 0 || context <= 0 || context == numCtx);
    }

}
