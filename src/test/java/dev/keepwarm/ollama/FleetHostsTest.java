package dev.keepwarm.ollama;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.keepwarm.fake.FakeOllama;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The hosts of a fleet as configuration and DNS give them:
 * {@code keepwarm.upstream.hosts}, {@code discovery}, and their mistakes refused with the
 * property's name.
 */
class FleetHostsTest {

    private static UpstreamProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("keepwarm.upstream",
                Bindable.of(UpstreamProperties.class));
    }

    private static Throwable root(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root;
    }

    @Test
    void urlAloneIsOneHostAsBefore() {
        UpstreamProperties one = bind(Map.of("keepwarm.upstream.url", "http://ollama:11434"));

        assertThat(one.fleet()).isFalse();
        assertThat(one.hosts()).isEmpty();
        assertThat(one.discovery()).isNull();
    }

    @Test
    void hostsBindWithTheirMemoryAndMaxLoaded() {
        UpstreamProperties fleet = bind(Map.of("keepwarm.upstream.hosts[0].name", "gpu0",
                "keepwarm.upstream.hosts[0].url", "http://10.0.0.5:11434", "keepwarm.upstream.hosts[0].memory", "24GB",
                "keepwarm.upstream.hosts[0].max-loaded", "2", "keepwarm.upstream.hosts[1].name", "gpu1",
                "keepwarm.upstream.hosts[1].url", "http://10.0.0.6:11434"));

        assertThat(fleet.fleet()).isTrue();
        assertThat(fleet.hosts()).extracting(UpstreamProperties.Host::name).containsExactly("gpu0", "gpu1");
        assertThat(fleet.hosts().get(0).memory()).isEqualTo(DataSize.ofGigabytes(24));
        assertThat(fleet.hosts().get(0).maxLoaded()).isEqualTo(2);
        assertThat(fleet.hosts().get(1).memory()).isNull();
        assertThat(fleet.hosts().get(1).maxLoaded()).isEqualTo(3);
    }

    @Test
    void discoveryBindsWithItsDefaults() {
        UpstreamProperties found = bind(Map.of("keepwarm.upstream.discovery.dns", "ollama.llm.svc.cluster.local"));

        assertThat(found.fleet()).isTrue();
        assertThat(found.discovery().port()).isEqualTo(11434);
        assertThat(found.discovery().refresh()).isEqualTo(Duration.ofSeconds(30));
        assertThat(found.discovery().scheme()).isEqualTo("http");
    }

    @Test
    void aHostNameThatCannotBeATagIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> bind(Map.of("keepwarm.upstream.hosts[0].name", "GPU 0",
                "keepwarm.upstream.hosts[0].url", "http://10.0.0.5:11434")))
            .isInstanceOf(BindException.class)
            .satisfies(error -> assertThat(root(error)).hasMessageContaining("keepwarm.upstream.hosts[].name")
                .hasMessageContaining("'GPU 0'"));
    }

    @Test
    void twoHostsOfOneNameAreRefused() {
        assertThatThrownBy(() -> bind(Map.of("keepwarm.upstream.hosts[0].name", "gpu0",
                "keepwarm.upstream.hosts[0].url", "http://10.0.0.5:11434", "keepwarm.upstream.hosts[1].name", "gpu0",
                "keepwarm.upstream.hosts[1].url", "http://10.0.0.6:11434")))
            .satisfies(error -> assertThat(root(error)).hasMessageContaining("keepwarm.upstream.hosts[1].name")
                .hasMessageContaining("used by two hosts"));
    }

    @Test
    void aHostUrlThatIsNotHttpIsRefused() {
        assertThatThrownBy(() -> bind(
                Map.of("keepwarm.upstream.hosts[0].name", "gpu0", "keepwarm.upstream.hosts[0].url", "ftp://10.0.0.5")))
            .satisfies(error -> assertThat(root(error)).hasMessageContaining("keepwarm.upstream.hosts[gpu0].url"));
    }

    @Test
    void discoveredAddressesAreNamedAsTagsMayBe() throws UnknownHostException {
        assertThat(OllamaHosts.nameOf(InetAddress.getByName("10.0.0.5"))).isEqualTo("10-0-0-5");
        assertThat(OllamaHosts.nameOf(InetAddress.getByName("fd00::1"))).isEqualTo("fd00-0-0-0-0-0-0-1");
    }

    @Test
    void dnsAddsAndRemovesHostsAndAFailedLookupKeepsThem() throws UnknownHostException {
        AtomicReference<List<InetAddress>> records = new AtomicReference<>(
                List.of(InetAddress.getByName("10.0.0.5"), InetAddress.getByName("10.0.0.6")));
        AtomicReference<Boolean> failing = new AtomicReference<>(false);
        UpstreamProperties.Discovery discovery = new UpstreamProperties.Discovery("ollama.test", 11434,
                Duration.ofSeconds(30), "http");
        OllamaHosts hosts = hosts();
        List<List<String>> changes = new ArrayList<>();
        hosts.onChange(now -> changes.add(now.stream().map(OllamaHost::name).toList()));
        HostDiscovery dns = new HostDiscovery(hosts, discovery, name -> {
            if (failing.get()) {
                throw new UnknownHostException(name);
            }
            return records.get();
        });

        dns.refresh().block(Duration.ofSeconds(5));
        assertThat(hosts.all()).extracting(OllamaHost::name).containsExactly("10-0-0-5", "10-0-0-6");
        assertThat(hosts.named("10-0-0-6").orElseThrow().url()).isEqualTo(URI.create("http://10.0.0.6:11434"));

        records.set(List.of(InetAddress.getByName("10.0.0.6")));
        dns.refresh().block(Duration.ofSeconds(5));
        assertThat(hosts.all()).extracting(OllamaHost::name).containsExactly("10-0-0-6");

        failing.set(true);
        dns.refresh().block(Duration.ofSeconds(5));
        assertThat(hosts.all()).extracting(OllamaHost::name).containsExactly("10-0-0-6");
        assertThat(changes).hasSize(2);
    }

    @Test
    void aDiscoveredHostIsCalledAtItsOwnAddress() throws UnknownHostException {
        try (FakeOllama fake = FakeOllama.start().version("0.30.1")) {
            OllamaHosts hosts = hosts();
            UpstreamProperties.Discovery discovery = new UpstreamProperties.Discovery("ollama.test", fake.port(),
                    Duration.ofSeconds(30), "http");
            new HostDiscovery(hosts, discovery, name -> List.of(InetAddress.getByName("127.0.0.1"))).refresh()
                .block(Duration.ofSeconds(5));

            OllamaHost found = hosts.named("127-0-0-1").orElseThrow();

            assertThat(found.client().version().block(Duration.ofSeconds(5))).isEqualTo("0.30.1");
        }
    }

    private static OllamaHosts hosts() {
        UpstreamProperties properties = bind(Map.of("keepwarm.upstream.discovery.dns", "ollama.test"));
        OllamaConnection template = OllamaClients.connection(properties);
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
        RetryRegistry retries = RetryRegistry.ofDefaults();
        return new OllamaConfiguration().ollamaHosts(template, properties, breakers, retries);
    }

}
