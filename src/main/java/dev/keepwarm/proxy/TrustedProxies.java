package dev.keepwarm.proxy;

import java.net.InetAddress;
import java.util.List;

import io.netty.util.NetUtil;

/**
 * The proxies whose forwarded headers keepwarm believes
 * ({@code keepwarm.proxy.trusted-proxies}): CIDR blocks parsed once, at start-up, into
 * 16-byte address and mask arrays. IPv4 is held as IPv4-mapped IPv6 (RFC 4291 2.5.5.2),
 * so {@code 10.0.0.0/8} also matches a peer seen as {@code ::ffff:10.1.2.3} on a
 * dual-stack socket, and a check is a loop over bytes with nothing parsed or allocated.
 */
final class TrustedProxies {

    static final TrustedProxies NONE = new TrustedProxies(new Block[0]);

    private static final String PROPERTY = "keepwarm.proxy.trusted-proxies";

    /** The first 12 bytes of every IPv4-mapped IPv6 address: {@code ::ffff:0:0/96}. */
    private static final byte[] V4_MAPPED = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff };

    private final Block[] blocks;

    private TrustedProxies(Block[] blocks) {
        this.blocks = blocks;
    }

    /**
     * @param cidrs blocks such as {@code 10.0.0.0/8} or {@code ::1/128}; an address alone
     * is one host
     * @throws IllegalArgumentException naming the property, the entry and what is wrong
     * with it
     */
    static TrustedProxies parse(List<String> cidrs) {
        Block[] blocks = new Block[cidrs.size()];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = block(cidrs.get(i), PROPERTY + "[" + i + "]");
        }
        return blocks.length == 0 ? NONE : new TrustedProxies(blocks);
    }

    boolean isEmpty() {
        return blocks.length == 0;
    }

    boolean contains(InetAddress address) {
        return blocks.length != 0 && contains(address.getAddress());
    }

    /**
     * @param bytes an address: 4 bytes (IPv4) or 16 (IPv6)
     */
    boolean contains(byte[] bytes) {
        for (Block block : blocks) {
            if (block.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    private static Block block(String cidr, String property) {
        String text = cidr == null ? "" : cidr.strip();
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        // Netty's literal parser: no DNS lookup, unlike InetAddress.getByName for
        // anything that is not a literal
        byte[] bytes = address.indexOf('%') >= 0 ? null : NetUtil.createByteArrayFromIpAddressString(address);
        if (bytes == null) {
            throw invalid(property, cidr, "'" + address + "' is not an IPv4 or IPv6 address");
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String length = text.substring(slash + 1);
            prefix = length.isEmpty() || length.length() > 3 || !length.chars().allMatch(c -> c >= '0' && c <= '9') ? -1
                    : Integer.parseInt(length);
            if (prefix < 0 || prefix > bits) {
                throw invalid(property, cidr, "the prefix length must be 0 to " + bits + " for an IPv"
                        + (bits == 32 ? "4" : "6") + " address, not '" + length + "'");
            }
        }
        return Block.of(bytes, bytes.length == 4 ? prefix + 96 : prefix);
    }

    private static IllegalArgumentException invalid(String property, String cidr, String why) {
        return new IllegalArgumentException(property + ": '" + cidr + "' is not a CIDR block (address/prefix-length, "
                + "such as 10.0.0.0/8 or ::1/128): " + why);
    }

    /**
     * One block, IPv4 as IPv4-mapped IPv6; the network has its host bits cleared
     * (10.0.0.1/8 means 10.0.0.0/8).
     */
    private record Block(byte[] network, byte[] mask) {

        static Block of(byte[] address, int prefix) {
            byte[] full = new byte[16];
            if (address.length == 4) {
                System.arraycopy(V4_MAPPED, 0, full, 0, 12);
                System.arraycopy(address, 0, full, 12, 4);
            }
            else {
                System.arraycopy(address, 0, full, 0, 16);
            }
            byte[] mask = new byte[16];
            for (int i = 0; i < 16; i++) {
                int bits = Math.max(0, Math.min(8, prefix - 8 * i));
                mask[i] = (byte) (0xff << (8 - bits));
                full[i] &= mask[i];
            }
            return new Block(full, mask);
        }

        /**
         * @param address 4 bytes (read as IPv4-mapped) or 16
         */
        boolean contains(byte[] address) {
            int offset = 16 - address.length;
            for (int i = 0; i < 16; i++) {
                byte b = i < offset ? V4_MAPPED[i] : address[i - offset];
                if ((b & mask[i]) != network[i]) {
                    return false;
                }
            }
            return true;
        }
    }

}
