package dev.keepwarm.metrics;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.keepwarm.ollama.OllamaHosts;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.FleetWarmer;
import dev.keepwarm.warmer.PingListener;
import dev.keepwarm.warmer.PingOutcome;
import org.jspecify.annotations.Nullable;

/**
 * The state gauges of every host: one {@link StateMeters} with one Ollama, one per host
 * (tagged {@code upstream}) on a fleet, where a host DNS discovery adds gets its gauges
 * and one that leaves loses them.
 */
final class HostStateMeters implements PingListener {

    private final Map<String, StateMeters> hosts = new ConcurrentHashMap<>();

    /**
     * @param hosts each host's gauges, by host name
     */
    HostStateMeters(Map<String, StateMeters> hosts) {
        this.hosts.putAll(hosts);
    }

    /**
     * The gauges of a fleet's hosts, following the hosts as they change.
     * @param gauges builds a host's gauges
     */
    static HostStateMeters fleet(FleetWarmer fleet, OllamaHosts hosts, PolicySource policies,
            Function<FleetWarmer.HostView, StateMeters> gauges) {
        HostStateMeters meters = new HostStateMeters(Map.of());
        meters.follow(fleet.views(), gauges);
        hosts.onChange(changed -> meters.follow(fleet.views(), gauges));
        policies.addListener(reloaded -> meters.hosts.values().forEach(host -> host.reloaded(reloaded)));
        return meters;
    }

    private synchronized void follow(List<FleetWarmer.HostView> views,
            Function<FleetWarmer.HostView, StateMeters> gauges) {
        Set<String> names = new HashSet<>();
        for (FleetWarmer.HostView view : views) {
            names.add(view.host().name());
            hosts.computeIfAbsent(view.host().name(), name -> gauges.apply(view));
        }
        hosts.entrySet().removeIf(entry -> {
            if (names.contains(entry.getKey())) {
                return false;
            }
            entry.getValue().remove();
            return true;
        });
    }

    @Override
    public void pinged(String model, PingOutcome outcome, @Nullable Duration took, boolean loaded) {
        hosts.values().forEach(meters -> meters.pinged(model, outcome, took, loaded));
    }

    @Override
    public void verified(String model, PingOutcome outcome, @Nullable Duration took) {
        hosts.values().forEach(meters -> meters.verified(model, outcome, took));
    }

    @Override
    public void pinged(String host, String model, PingOutcome outcome, @Nullable Duration took, boolean loaded) {
        StateMeters meters = hosts.get(host);
        if (meters != null) {
            meters.pinged(model, outcome, took, loaded);
        }
    }

    @Override
    public void verified(String host, String model, PingOutcome outcome, @Nullable Duration took) {
        StateMeters meters = hosts.get(host);
        if (meters != null) {
            meters.verified(model, outcome, took);
        }
    }

}
