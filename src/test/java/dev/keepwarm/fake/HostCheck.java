package dev.keepwarm.fake;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Ollama's {@code allowedHostsMiddleware} for a server bound to loopback: the Host header
 * must name a loopback, private, unspecified or local-interface IP, {@code localhost},
 * this machine's hostname, or end in {@code .localhost}, {@code .local} or
 * {@code .internal}; otherwise 403.
 */
final class HostCheck {

    private static final Pattern IPV4 = Pattern
        .compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    private final String hostname = readHostname();

    boolean allowed(String hostHeader) {
        String host = hostOf(hostHeader == null ? "" : hostHeader);
        Optional<InetAddress> ip = ipLiteral(host);
        if (ip.isPresent()) {
            InetAddress a = ip.get();
            if (a.isLoopbackAddress() || a.isAnyLocalAddress() || isPrivate(a) || isLocalInterface(a)) {
                return true;
            }
        }
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.isEmpty() || lower.equals("localhost") || lower.equals(hostname) || lower.endsWith(".localhost")
                || lower.endsWith(".local") || lower.endsWith(".internal");
    }

    /** Go's net.SplitHostPort, falling back to the whole header when it has no port. */
    private static String hostOf(String header) {
        if (header.startsWith("[")) {
            int close = header.indexOf(']');
            boolean withPort = close > 0 && close + 1 < header.length() && header.charAt(close + 1) == ':'
                    && header.indexOf(':', close + 2) < 0;
            return withPort ? header.substring(1, close) : header;
        }
        int colon = header.indexOf(':');
        return colon >= 0 && colon == header.lastIndexOf(':') ? header.substring(0, colon) : header;
    }

    /**
     * Go's netip.ParseAddr: strict dotted IPv4 or an IPv6 literal, validated before
     * lookup so no DNS is asked.
     */
    private static Optional<InetAddress> ipLiteral(String host) {
        try {
            if (IPV4.matcher(host).matches()) {
                return Optional.of(InetAddress.getByName(host));
            }
            if (host.contains(":")) {
                String bracketed = new URI("http://[" + host + "]/").getHost();
                return Optional.of(InetAddress.getByName(bracketed));
            }
        }
        catch (URISyntaxException | UnknownHostException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Go's netip.Addr.IsPrivate: 10/8, 172.16/12, 192.168/16, fc00::/7. */
    private static boolean isPrivate(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            return b0 == 10 || (b0 == 172 && (b1 & 0xf0) == 16) || (b0 == 192 && b1 == 168);
        }
        return (b[0] & 0xfe) == 0xfc;
    }

    private static boolean isLocalInterface(InetAddress a) {
        try {
            return NetworkInterface.getByInetAddress(a) != null;
        }
        catch (SocketException e) {
            return false;
        }
    }

    private static String readHostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim().toLowerCase(Locale.ROOT);
        }
        catch (IOException | RuntimeException e) {
            return "";
        }
    }

}
