package dev.keepwarm.ollama;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import dev.keepwarm.fleet.Placement;
import dev.keepwarm.policy.PositiveDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Where Ollama is and how long keepwarm waits for it ({@code keepwarm.upstream}): one
 * Ollama at {@code url}, or a fleet of {@code hosts} and/or hosts found by
 * {@code discovery}. Timeouts and the pool size apply to each host.
 *
 * @param url Ollama's base URL (http or https, with host; a path prefix is kept); not
 * used when hosts or discovery are set
 * @param connectTimeout how long to wait for a TCP connection to Ollama
 * @param responseTimeout how long to wait for Ollama's response headers; empty means no
 * limit, because a cold load of a large model can take minutes before the first byte
 * @param idleTimeout longest silence allowed between two chunks of a response once it has
 * started
 * @param maxConnections most connections to each Ollama host at once; every long stream
 * holds one, so keep this above the number of concurrent streams (Reactor Netty's default
 * pool of 2 x cores would queue the rest)
 * @param hosts a fleet of Ollama hosts, each named; requests are routed to where their
 * model is warm and warm rules are placed across them
 * @param discovery hosts found in DNS (every A/AAAA record of a name, such as a
 * Kubernetes headless Service), instead of or beside {@code hosts}
 * @param sslBundle name of the Spring Boot SSL bundle
 * ({@code spring.ssl.bundle.pem.<name>} or {@code spring.ssl.bundle.jks.<name>}) for
 * https Ollama hosts: its trust store holds the CA that issued Ollama's certificate, its
 * key store (optional) the client certificate for mutual TLS; the host name is verified;
 * empty means the JDK's default trust store and no client certificate
 */
@ConfigurationProperties("keepwarm.upstream")
@Validated
public record UpstreamProperties(@DefaultValue("http://localhost:11434") @NotNull URI url,
        @DefaultValue("5s") @NotNull Duration connectTimeout, @Nullable Duration responseTimeout,
        @DefaultValue("10m") @NotNull Duration idleTimeout, @DefaultValue("1000") @Positive int maxConnections,
        @DefaultValue @Valid List<Host> hosts, @Valid @Nullable Discovery discovery, @Nullable String sslBundle) {

    /**
     * A SpEL condition that holds when {@code hosts} or {@code discovery} is set (the
     * same test as {@link #fleet()}, for beans that exist only on a fleet).
     */
    public static final String FLEET_CONDITION = "'${keepwarm.upstream.hosts[0].name:}' != '' "
            + "or '${keepwarm.upstream.discovery.dns:}' != ''";

    /** Its negation: beans of a single-host keepwarm. */
    public static final String SINGLE_HOST_CONDITION = "!(" + FLEET_CONDITION + ")";

    /** The name of the one host when neither hosts nor discovery is set. */
    public static final String DEFAULT_HOST = "default";

    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9-]+");

    @ConstructorBinding
    public UpstreamProperties {
        requireHttp("keepwarm.upstream.url", url);
        PositiveDuration.require("keepwarm.upstream.connect-timeout", connectTimeout);
        PositiveDuration.require("keepwarm.upstream.response-timeout", responseTimeout);
        PositiveDuration.require("keepwarm.upstream.idle-timeout", idleTimeout);
        hosts = (hosts != null) ? List.copyOf(hosts) : List.of();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < hosts.size(); i++) {
            Host host = hosts.get(i);
            if (!names.add(host.name())) {
                throw new IllegalArgumentException("keepwarm.upstream.hosts[" + i + "].name: '" + host.name()
                        + "' is used by two hosts; each host needs a name of its own");
            }
        }
        sslBundle = (sslBundle != null && !sslBundle.isBlank()) ? sslBundle.strip() : null;
        if (sslBundle != null && !usesHttps(url, hosts, discovery)) {
            throw new IllegalArgumentException(
                    "keepwarm.upstream.ssl-bundle is '" + sslBundle + "' but no Ollama host is https ("
                            + (hosts.isEmpty() && discovery == null ? "keepwarm.upstream.url is " + url
                                    : "no keepwarm.upstream.hosts[].url is https and "
                                            + "keepwarm.upstream.discovery.scheme is not https")
                            + "): TLS would never be used; make Ollama's URL https, or remove the bundle");
        }
    }

    /** One Ollama at {@code url}, as before the fleet existed. */
    public UpstreamProperties(URI url, Duration connectTimeout, @Nullable Duration responseTimeout,
            Duration idleTimeout, int maxConnections) {
        this(url, connectTimeout, responseTimeout, idleTimeout, maxConnections, List.of(), null, null);
    }

    /** Whether keepwarm fronts a fleet ({@code hosts} or {@code discovery} set). */
    public boolean fleet() {
        return !hosts.isEmpty() || discovery != null;
    }

    /** The URL without a trailing slash, ready to have a request path appended. */
    public String base() {
        return base(url);
    }

    /** host:port as Ollama expects it in the Host header. */
    public String hostHeader() {
        return hostHeader(url);
    }

    /**
     * Whether any Ollama host keepwarm talks to is https: {@code url} for one host, else
     * a configured host or the discovered ones.
     */
    private static boolean usesHttps(URI url, List<Host> hosts, @Nullable Discovery discovery) {
        if (hosts.isEmpty() && discovery == null) {
            return https(url);
        }
        return hosts.stream().anyMatch(host -> https(host.url()))
                || (discovery != null && "https".equals(discovery.scheme()));
    }

    static boolean https(@Nullable URI url) {
        return url != null && "https".equalsIgnoreCase(url.getScheme());
    }

    static String base(URI url) {
        String s = url.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    static String hostHeader(URI url) {
        int port = url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
        return url.getHost() + ":" + port;
    }

    private static void requireHttp(String property, @Nullable URI url) {
        if (url != null) {
            String scheme = url.getScheme();
            if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || url.getHost() == null) {
                throw new IllegalArgumentException(property + " must be an http(s) URL with a host, such as "
                        + "http://localhost:11434, not '" + url + "'");
            }
        }
    }

    /**
     * One Ollama host of a fleet.
     *
     * @param name the host's name: lower-case letters, digits and '-'; the
     * {@code upstream} tag of its meters and the value of the {@code X-Keepwarm-Upstream}
     * header
     * @param url its base URL (http or https, with host)
     * @param memory what placement may fill with pinned models there (its VRAM); empty
     * means no limit but max-loaded
     * @param maxLoaded its OLLAMA_MAX_LOADED_MODELS: most pinned models placed there
     */
    public record Host(@NotNull String name, @NotNull URI url, @Nullable DataSize memory,
            @DefaultValue("3") @Positive int maxLoaded) {

        /** Ollama's own default of OLLAMA_MAX_LOADED_MODELS, as placement assumes it. */
        public static final int DEFAULT_MAX_LOADED = Placement.Host.DEFAULT_MAX_LOADED;

        public Host {
            if (name != null && !HOST_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("keepwarm.upstream.hosts[].name must be lower-case letters, "
                        + "digits and '-' (it becomes a metric tag and a header value), not '" + name + "'");
            }
            requireHttp("keepwarm.upstream.hosts[" + name + "].url", url);
            if (memory != null && memory.toBytes() <= 0) {
                throw new IllegalArgumentException(
                        "keepwarm.upstream.hosts[" + name + "].memory must be positive, not " + memory);
            }
        }

    }

    /**
     * Hosts found in DNS: every address the name resolves to is a host, named by that
     * address.
     *
     * @param dns the name to resolve, such as a Kubernetes headless Service
     * ({@code ollama-headless.llm.svc.cluster.local})
     * @param port Ollama's port on each address
     * @param refresh how often the name is resolved again
     * @param scheme http or https
     */
    public record Discovery(@NotNull String dns, @DefaultValue("11434") @Positive int port,
            @DefaultValue("30s") @NotNull Duration refresh, @DefaultValue("http") @NotNull String scheme) {

        public Discovery {
            if (dns != null && dns.isBlank()) {
                throw new IllegalArgumentException("keepwarm.upstream.discovery.dns must name a DNS name");
            }
            PositiveDuration.require("keepwarm.upstream.discovery.refresh", refresh);
            if (scheme != null && !("http".equals(scheme) || "https".equals(scheme))) {
                throw new IllegalArgumentException(
                        "keepwarm.upstream.discovery.scheme must be http or https, not '" + scheme + "'");
            }
        }

    }

}
