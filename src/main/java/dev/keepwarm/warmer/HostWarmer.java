package dev.keepwarm.warmer;

import java.time.Clock;
import java.util.List;

import dev.keepwarm.ollama.OllamaHost;
import dev.keepwarm.policy.PolicySource;
import org.jspecify.annotations.Nullable;

/**
 * One Ollama host's warmer: its own state, pings, thrash tracking and stall detection,
 * serving the warm rules placed on it. A single-host keepwarm has one; a fleet one per
 * host.
 *
 * @param host the host
 * @param warmer what the proxy and the actuator ask of this host's warmer
 * @param reconciler its reconcile pass
 * @param pinger its pings
 * @param targets the rules it serves
 */
record HostWarmer(OllamaHost host, Warmer warmer, Reconciler reconciler, Pinger pinger, WarmTargets targets) {

    /** This host's state. */
    WarmState state() {
        return warmer.state();
    }

    /**
     * Builds the object graph of one host's warmer.
     * @param loop the loop that runs the passes, null when the warmer is disabled
     * @param logName how logs name the host
     */
    static HostWarmer build(OllamaHost host, PolicySource policies, WarmerProperties properties, Clock clock,
            Subscriptions owner, List<PingListener> listeners, @Nullable WarmerLoop loop, String logName) {
        WarmState state = new WarmState();
        WarmTargets targets = new WarmTargets(policies);
        ThrashTracker thrash = new ThrashTracker(properties.thrash(), properties.interval());
        StallDetector stalls = new StallDetector(state, properties.interval());
        Pinger pinger = new Pinger(host.client(), state, thrash, clock, properties.pingTimeout(), listeners,
                host.name());
        Pings pings = new Pings(pinger, owner, clock);
        Reconciler reconciler = new Reconciler(host.client(), targets, state, pings, pinger, thrash, stalls, clock,
                properties, logName);
        FreshPs freshPs = new FreshPs(reconciler, state, clock);
        Warmer warmer = new Warmer(targets, state, pings, freshPs, stalls, owner, loop, clock, properties.interval());
        return new HostWarmer(host, warmer, reconciler, pinger, targets);
    }

}
