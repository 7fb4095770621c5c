package dev.keepwarm.proxy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class TrustedProxiesTest {

    @Test
    void ipv4BlockMatchesItsAddressesOnly() throws Exception {
        TrustedProxies trusted = TrustedProxies.parse(List.of("10.0.0.0/8", "192.168.1.0/24"));
        assertThat(trusted.contains(ip("10.0.0.0"))).isTrue();
        assertThat(trusted.contains(ip("10.255.255.255"))).isTrue();
        assertThat(trusted.contains(ip("11.0.0.0"))).isFalse();
        assertThat(trusted.contains(ip("9.255.255.255"))).isFalse();
        assertThat(trusted.contains(ip("192.168.1.77"))).isTrue();
        assertThat(trusted.contains(ip("192.168.2.1"))).isFalse();
        assertThat(trusted.contains(ip("::1"))).isFalse();
    }

    @Test
    void prefixNotOnAByteBoundaryMasksTheRightBits() throws Exception {
        TrustedProxies trusted = TrustedProxies.parse(List.of("172.16.0.0/12"));
        assertThat(trusted.contains(ip("172.16.0.1"))).isTrue();
        assertThat(trusted.contains(ip("172.31.255.255"))).isTrue();
        assertThat(trusted.contains(ip("172.32.0.0"))).isFalse();
        assertThat(trusted.contains(ip("172.15.255.255"))).isFalse();
    }

    @Test
    void slash32AndSlash128AreOneHost() throws Exception {
        TrustedProxies trusted = TrustedProxies.parse(List.of("127.0.0.1/32", "::1/128"));
        assertThat(trusted.contains(ip("127.0.0.1"))).isTrue();
        assertThat(trusted.contains(ip("127.0.0.2"))).isFalse();
        assertThat(trusted.contains(ip("::1"))).isTrue();
        assertThat(trusted.contains(ip("::2"))).isFalse();
    }

    @Test
    void addressWithoutPrefixIsOneHost() throws Exception {
        TrustedProxies trusted = TrustedProxies.parse(List.of("10.1.2.3", "fd00::5"));
        assertThat(trusted.contains(ip("10.1.2.3"))).isTrue();
        assertThat(trusted.contains(ip("10.1.2.4"))).isFalse();
        assertThat(trusted.contains(ip("fd00::5"))).isTrue();
        assertThat(trusted.contains(ip("fd00::6"))).isFalse();
    }

    @Test
    void slashZeroOfIpv4MatchesEveryIpv4AddressButNoIpv6() throws Exception {
        TrustedProxies trusted = TrustedProxies.parse(List.of("0.0.0.0/0"));
        assertThat(trusted.contains(ip("0.0.0.0"))).isTrue();
        assertThat(trusted.contains(ip("255.255.255.255"))).isTrue();
        assertThat(trusted.contains(ip("2001:db8::1"))).isFalse();
    }

    @Test
    void slashZeroOfIpv6MatchesEverything() throws Exception {
        TrustedProxies trusted = TrustedProxies.parse(List.of("::/0"));
        assertThat(trusted.contains(ip("2001:db8::1"))).isTrue();
        assertThat(trusted.contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))).isTrue();
        assertThat(trusted.contains(ip("8.8.8.8"))).isTrue();
    }

    @Test
    void ipv6BlockMatchesItsAddressesOnly() throws Exception {
        TrustedProxies trusted = TrustedProxies.parse(List.of("2001:db8:abcd::/48", "fe80::/10"));
        assertThat(trusted.contains(ip("2001:db8:abcd:12::1"))).isTrue();
        assertThat(trusted.contains(ip("2001:db8:abce::1"))).isFalse();
        assertThat(trusted.contains(ip("fe80::1"))).isTrue();
        assertThat(trusted.contains(ip("febf:ffff::1"))).isTrue();
        assertThat(trusted.contains(ip("fec0::1"))).isFalse();
        assertThat(trusted.contains(ip("10.0.0.1"))).isFalse();
    }

    @Test
    void ipv4BlockMatchesAnIpv4MappedIpv6Peer() throws Exception {
        TrustedProxies trusted = TrustedProxies.parse(List.of("10.0.0.0/8"));
        assertThat(trusted.contains(mapped(10, 1, 2, 3))).isTrue();
        assertThat(trusted.contains(mapped(11, 1, 2, 3))).isFalse();
    }

    @Test
    void ipv4MappedBlockMatchesPlainIpv4Peers() throws Exception {
        TrustedProxies trusted = TrustedProxies.parse(List.of("::ffff:10.0.0.0/104"));
        assertThat(trusted.contains(ip("10.9.9.9"))).isTrue();
        assertThat(trusted.contains(ip("11.0.0.0"))).isFalse();
        assertThat(trusted.contains(mapped(10, 9, 9, 9))).isTrue();
    }

    @Test
    void hostBitsInTheBlockAreIgnored() throws Exception {
        TrustedProxies trusted = TrustedProxies.parse(List.of("10.1.2.3/8"));
        assertThat(trusted.contains(ip("10.200.0.1"))).isTrue();
    }

    @Test
    void noBlocksTrustsNoOne() throws Exception {
        TrustedProxies trusted = TrustedProxies.parse(List.of());
        assertThat(trusted.isEmpty()).isTrue();
        assertThat(trusted.contains(ip("127.0.0.1"))).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"',
            value = { "10.0.0.0/33        | the prefix length must be 0 to 32 for an IPv4 address, not '33'",
                    "::1/129            | the prefix length must be 0 to 128 for an IPv6 address, not '129'",
                    "10.0.0.0/-1        | not '-1'", "10.0.0.0/          | not ''", "10.0.0.0/8/8       | not '8/8'",
                    "10.0.0.0/x         | not 'x'", "10.0.0/8           | '10.0.0' is not an IPv4 or IPv6 address",
                    "256.0.0.0/8        | '256.0.0.0' is not an IPv4 or IPv6 address",
                    "localhost/32       | 'localhost' is not an IPv4 or IPv6 address",
                    "fe80::1%eth0/64    | 'fe80::1%eth0' is not an IPv4 or IPv6 address",
                    "\"   \"  | '' is not an IPv4 or IPv6 address" })
    void badBlockNamesThePropertyTheEntryAndTheProblem(String cidr, String problem) {
        assertThatIllegalArgumentException().isThrownBy(() -> TrustedProxies.parse(List.of("127.0.0.1/32", cidr)))
            .withMessageStartingWith("keepwarm.proxy.trusted-proxies[1]: '" + cidr + "' is not a CIDR block")
            .withMessageContaining(problem);
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    /**
     * An IPv4-mapped address as a dual-stack socket may report it (InetAddress.getByName
     * would make it IPv4).
     */
    private static InetAddress mapped(int a, int b, int c, int d) throws Exception {
        byte[] bytes = new byte[16];
        Arrays.fill(bytes, 10, 12, (byte) 0xff);
        bytes[12] = (byte) a;
        bytes[13] = (byte) b;
        bytes[14] = (byte) c;
        bytes[15] = (byte) d;
        return Inet6Address.getByAddress(null, bytes, -1);
    }

}
