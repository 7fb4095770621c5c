package dev.keepwarm.proxy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.keepwarm.ollama.OllamaHost;
import dev.keepwarm.ollama.OllamaHosts;
import reactor.core.publisher.Mono;

/**
 * The proxy's side of every Ollama host: its {@link UpstreamCall} and the requests under
 * way there (routing sends a request to the least busy host where its model is warm).
 * Keyed by the hosts that exist, never by what a client sends: a discovered host that
 * leaves DNS is dropped.
 */
final class Upstreams {

    private record Entry(OllamaHost host, UpstreamCall call, AtomicInteger inFlight) {
    }

    private final OllamaHosts hosts;

    private final Function<OllamaHost, UpstreamCall> calls;

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    Upstreams(OllamaHosts hosts, Function<OllamaHost, UpstreamCall> calls) {
        this.hosts = hosts;
        this.calls = calls;
        hosts.onChange(now -> {
            Map<String, OllamaHost> byName = now.stream().collect(Collectors.toMap(OllamaHost::name, h -> h));
            entries.values().removeIf(entry -> byName.get(entry.host().name()) != entry.host());
        });
    }

    /** Whether keepwarm fronts a fleet. */
    boolean fleet() {
        return hosts.fleet();
    }

    /** The host of this name, if it exists now. */
    Optional<UpstreamCall> call(String name) {
        return hosts.named(name).map(host -> entry(host).call());
    }

    /** Every host's name now, sorted. */
    List<String> names() {
        return hosts.all().stream().map(OllamaHost::name).toList();
    }

    /** The requests under way at the host. */
    int inFlight(String name) {
        Entry entry = entries.get(name);
        return entry != null ? entry.inFlight().get() : 0;
    }

    /** Counts the call as under way at the host until it ends, however it ends. */
    Mono<Void> counted(String name, Mono<Void> call) {
        return Mono.defer(() -> {
            Optional<OllamaHost> host = hosts.named(name);
            if (host.isEmpty()) {
                return call;
            }
            AtomicInteger inFlight = entry(host.get()).inFlight();
            inFlight.incrementAndGet();
            return call.doFinally(signal -> inFlight.decrementAndGet());
        });
    }

    private Entry entry(OllamaHost host) {
        Entry entry = entries.get(host.name());
        if (entry != null && entry.host() == host) {
            return entry;
        }
        return entries.compute(host.name(), (name, old) -> (old != null && old.host() == host) ? old
                : new Entry(host, calls.apply(host), new AtomicInteger()));
    }

}
