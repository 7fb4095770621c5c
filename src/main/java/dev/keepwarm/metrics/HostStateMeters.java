package dev.keepwarm.metrics;

import java.time.Duration;
import java.util.List;

import dev.keepwarm.warmer.PingListener;
import dev.keepwarm.warmer.PingOutcome;
import org.jspecify.annotations.Nullable;

/**
 * The state gauges of every host: one {@link StateMeters} with one Ollama, one per host
 * (tagged {@code upstream}) on a fleet. Hosts DNS discovery finds later get no gauges of
 * their own yet.
 */
final class HostStateMeters implements PingListener {

    private final List<StateMeters> hosts;

    HostStateMeters(List<StateMeters> hosts) {
        this.hosts = List.copyOf(hosts);
    }

    @Override
    public void pinged(String model, PingOutcome outcome, @Nullable Duration took, boolean loaded) {
        hosts.forEach(meters -> meters.pinged(model, outcome, took, loaded));
    }

    @Override
    public void verified(String model, PingOutcome outcome, @Nullable Duration took) {
        hosts.forEach(meters -> meters.verified(model, outcome, took));
    }

}
