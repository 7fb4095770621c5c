package dev.keepwarm.ollama;

import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.BiFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ollama hosts keepwarm fronts: the one host named
 * {@link UpstreamProperties#DEFAULT_HOST} at {@code keepwarm.upstream.url}, or a fleet of
 * configured {@code hosts} plus the addresses {@code discovery} found in DNS. The list
 * changes only when DNS does; listeners hear of every change. Thread-safe: readers get an
 * immutable snapshot, sorted by name.
 */
public final class OllamaHosts {

    private static final Logger log = LoggerFactory.getLogger(OllamaHosts.class);

    private final boolean fleet;

    private final List<OllamaHost> configured;

    private final BiFunction<String, OllamaConnection, OllamaClient> clients;

    private final Consumer<String> forget;

    private final OllamaConnection template;

    private final List<Consumer<List<OllamaHost>>> listeners = new CopyOnWriteArrayList<>();

    private volatile List<OllamaHost> hosts;

    OllamaHosts(boolean fleet, List<OllamaHost> configured, OllamaConnection template,
            BiFunction<String, OllamaConnection, OllamaClient> clients, Consumer<String> forget) {
        this.fleet = fleet;
        this.configured = List.copyOf(configured);
        this.template = template;
        this.clients = clients;
        this.forget = forget;
        this.hosts = sorted(this.configured);
    }

    /** Whether keepwarm fronts a fleet rather than one Ollama. */
    public boolean fleet() {
        return fleet;
    }

    /** Every host now, sorted by name. */
    public List<OllamaHost> all() {
        return hosts;
    }

    /** The host of this name, if there is one now. */
    public Optional<OllamaHost> named(String name) {
        return hosts.stream().filter(host -> host.name().equals(name)).findFirst();
    }

    /** Calls {@code listener} with the new list after every change. */
    public void onChange(Consumer<List<OllamaHost>> listener) {
        listeners.add(listener);
    }

    /**
     * The addresses DNS discovery resolved now: hosts for new ones are added, hosts whose
     * address left DNS are removed; configured hosts stay.
     */
    void discovered(List<InetAddress> addresses, UpstreamProperties.Discovery discovery) {
        Map<String, OllamaHost> next = new TreeMap<>();
        configured.forEach(host -> next.put(host.name(), host));
        Map<String, OllamaHost> before = new TreeMap<>();
        hosts.forEach(host -> before.put(host.name(), host));
        for (InetAddress address : addresses) {
            String name = nameOf(address);
            if (next.containsKey(name)) {
                continue;
            }
            OllamaHost known = before.get(name);
            next.put(name, known != null ? known : discoveredHost(name, address, discovery));
        }
        List<OllamaHost> changed = List.copyOf(next.values());
        if (changed.equals(hosts)) {
            return;
        }
        before.keySet().stream().filter(name -> !next.containsKey(name)).forEach(name -> {
            log.info("Ollama host {} left DNS ({}); its warm models are placed elsewhere", name, discovery.dns());
            forget.accept(name);
        });
        next.keySet()
            .stream()
            .filter(name -> !before.containsKey(name))
            .forEach(name -> log.info("Ollama host {} found in DNS ({})", name, discovery.dns()));
        hosts = changed;
        listeners.forEach(listener -> listener.accept(changed));
    }

    private OllamaHost discoveredHost(String name, InetAddress address, UpstreamProperties.Discovery discovery) {
        String literal = address.getHostAddress();
        String host = literal.contains(":") ? "[" + literal + "]" : literal;
        URI url = URI.create(discovery.scheme() + "://" + host + ":" + discovery.port());
        OllamaConnection connection = template.at(url);
        return new OllamaHost(name, connection, clients.apply(name, connection), OptionalLong.empty(),
                UpstreamProperties.Host.DEFAULT_MAX_LOADED, true);
    }

    /**
     * A discovered host is named by its address, spelled as a host name may be: 10-0-0-5,
     * or fd00-0-0-0-0-0-0-1 for fd00::1.
     */
    static String nameOf(InetAddress address) {
        String literal = address.getHostAddress();
        int zone = literal.indexOf('%');
        if (zone >= 0) {
            literal = literal.substring(0, zone);
        }
        return literal.toLowerCase(Locale.ROOT).replace('.', '-').replace(':', '-');
    }

    private static List<OllamaHost> sorted(List<OllamaHost> hosts) {
        List<OllamaHost> copy = new ArrayList<>(hosts);
        copy.sort(Comparator.comparing(OllamaHost::name));
        return List.copyOf(copy);
    }

}
