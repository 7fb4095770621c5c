package dev.keepwarm.proxy;

import java.util.List;
import java.util.function.ToIntFunction;

import dev.keepwarm.fleet.Routing;

/**
 * What the proxy asks of whoever knows where models are warm (the warmer implements it):
 * which host a request goes to. Without such a bean every request goes to the one host.
 */
public interface HostRouter {

    /** No fleet: the proxy sends everything to its one host without asking. */
    HostRouter ONE = new HostRouter() {
        @Override
        public List<Routing.Route> route(String model, long numCtx, ToIntFunction<String> inFlight) {
            return List.of();
        }

        @Override
        public List<String> healthy() {
            return List.of();
        }

        @Override
        public boolean fleet() {
            return false;
        }
    };

    /**
     * The hosts for a request that names this model, most preferred first; empty when no
     * healthy host may serve it.
     * @param numCtx the context the request's runner needs, 0 when it needs none in
     * particular: a host running the model with another counts as not running it
     * @param inFlight the requests the proxy has under way per host name
     */
    List<Routing.Route> route(String model, long numCtx, ToIntFunction<String> inFlight);

    /** The healthy hosts by name: where fan-out routes and routes without a model go. */
    List<String> healthy();

    /** Whether keepwarm fronts a fleet rather than one Ollama. */
    boolean fleet();

}
