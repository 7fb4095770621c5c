package dev.keepwarm.metrics;

import java.time.Duration;
import java.util.Map;

import dev.keepwarm.warmer.PingListener;
import dev.keepwarm.warmer.PingOutcome;
import org.jspecify.annotations.Nullable;

/**
 * The state gauges of every host: one {@link StateMeters} with one Ollama, one per host
 * (tagged {@code upstream}) on a fleet. Hosts DNS discovery finds later get no gauges of
 * their own yet.
 */
final class HostStateMeters implements PingListener {

    private final Map<String, StateMeters> hosts;

    /**
     * @param hosts each host's gauges, by host name
     */
    HostStateMeters(Map<String, StateMeters> hosts) {
        this.hosts = Map.copyOf(hosts);
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
