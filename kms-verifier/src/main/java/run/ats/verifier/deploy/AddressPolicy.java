package run.ats.verifier.deploy;

import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Which addresses the verifier may connect to: public ones only, so an allow-listed name that
 * resolves (or is re-pointed) to an internal address cannot reach the cluster, the cloud's
 * metadata service or the host itself. Checked on the addresses DNS answers, which are the ones
 * connected to.
 */
public record AddressPolicy(boolean allowLoopback, boolean allowInternal) {

    /** The service's policy: public addresses, and loopback only if asked for (local runs, tests). */
    public static AddressPolicy publicOnly(boolean allowLoopback) {
        return new AddressPolicy(allowLoopback, false);
    }

    /** An auditor's own machine fetching what they asked for: anything. */
    public static AddressPolicy anything() {
        return new AddressPolicy(true, true);
    }

    /** Refuses an internal address with an {@link UnsafeFetchException} naming why. */
    public void check(InetAddress address) {
        String refusal = refusal(address);
        if (refusal != null) {
            throw new UnsafeFetchException("address " + address.getHostAddress() + " refused: " + refusal);
        }
    }

    String refusal(InetAddress address) {
        if (allowInternal) {
            return null;
        }
        if (address.isLoopbackAddress()) {
            return allowLoopback ? null : "loopback";
        }
        return switch (address) {
            case Inet6Address v6 -> ipv6Refusal(v6.getAddress());
            case Inet4Address v4 -> ipv4Refusal(v4);
            default -> "not an IP address";
        };
    }

    private static String ipv4Refusal(Inet4Address v4) {
        if (v4.isLoopbackAddress()) {
            return "loopback";
        }
        if (v4.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (v4.isLinkLocalAddress()) {
            return "link-local (cloud metadata lives here)";
        }
        if (v4.isSiteLocalAddress()) {
            return "private";
        }
        if (v4.isMulticastAddress()) {
            return "multicast";
        }
        byte[] bytes = v4.getAddress();
        int a = bytes[0] & 0xff;
        int b = bytes[1] & 0xff;
        int c = bytes[2] & 0xff;
        if (a == 0) {
            return "this network (0.0.0.0/8)";
        }
        if (a == 100 && b >= 64 && b <= 127) {
            return "carrier-grade NAT (100.64.0.0/10)";
        }
        if (a == 192 && b == 0 && c == 0) {
            return "IETF protocol assignments (192.0.0.0/24)";
        }
        if ((a == 192 && b == 0 && c == 2) || (a == 198 && b == 51 && c == 100) || (a == 203 && b == 0 && c == 113)) {
            return "documentation (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24)";
        }
        if (a == 192 && b == 88 && c == 99) {
            return "6to4 relay anycast (192.88.99.0/24)";
        }
        if (a == 198 && (b == 18 || b == 19)) {
            return "benchmarking (198.18.0.0/15)";
        }
        if (a >= 240) {
            return "reserved (240.0.0.0/4)";
        }
        return null;
    }

    /**
     * IPv6 is allowed only in global unicast (2000::/3), minus the ranges in it that are not
     * hosts on the internet or that carry an IPv4 address to somewhere else (6to4, Teredo). The
     * one embedding form let through is the well-known NAT64 prefix, 64:ff9b::/96, on IPv6-only
     * networks the way to reach IPv4 origins: its IPv4 address is checked as if connected to
     * directly (loopback never allowed there). IPv4-mapped and IPv4-compatible addresses are
     * checked the same way when they embed an IPv4 address at all.
     */
    private static String ipv6Refusal(byte[] b) {
        if (b.length != 16) {
            return "malformed";
        }
        if (startsWith(b, MAPPED, 96) || startsWith(b, NAT64, 96)) {
            String inner = ipv4Refusal(ipv4(b));
            return inner == null ? null : "embeds an IPv4 address that is " + inner;
        }
        if (startsWith(b, COMPATIBLE, 96)) {
            String inner = ipv4Refusal(ipv4(b));
            return "IPv4-compatible (::/96, deprecated)" + (inner == null ? "" : ", embeds an IPv4 address that is " + inner);
        }
        for (Range range : REFUSED_V6) {
            if (startsWith(b, range.prefix(), range.length())) {
                return range.why();
            }
        }
        if ((b[0] & 0xe0) != 0x20) {
            return "not global unicast (outside 2000::/3)";
        }
        return null;
    }

    private record Range(byte[] prefix, int length, String why) {
    }

    private static final byte[] MAPPED = v6("::ffff:0:0");
    private static final byte[] NAT64 = v6("64:ff9b::");
    private static final byte[] COMPATIBLE = v6("::");

    /** Named so a refusal says why; anything outside 2000::/3 is refused after these in any case. */
    private static final List<Range> REFUSED_V6 = List.of(
            new Range(v6("::ffff:0:0:0"), 96, "IPv4-translated (::ffff:0:0:0/96)"),
            new Range(v6("64:ff9b:1::"), 48, "local-use NAT64 (64:ff9b:1::/48)"),
            new Range(v6("fc00::"), 7, "unique local (fc00::/7)"),
            new Range(v6("fe80::"), 10, "link-local (fe80::/10)"),
            new Range(v6("fec0::"), 10, "site-local (fec0::/10)"),
            new Range(v6("ff00::"), 8, "multicast (ff00::/8)"),
            new Range(v6("100::"), 64, "discard-only (100::/64)"),
            new Range(v6("2001::"), 32, "Teredo (2001::/32) embeds an IPv4 address"),
            new Range(v6("2001:db8::"), 32, "documentation (2001:db8::/32)"),
            new Range(v6("2001::"), 23, "IETF protocol assignments (2001::/23)"),
            new Range(v6("2002::"), 16, "6to4 (2002::/16) embeds an IPv4 address"),
            new Range(v6("3fff::"), 20, "documentation (3fff::/20)"),
            new Range(v6("5f00::"), 16, "segment routing (5f00::/16)"));

    private static boolean startsWith(byte[] address, byte[] prefix, int bits) {
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >>> (i % 8);
            if ((address[i / 8] & mask) != (prefix[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static Inet4Address ipv4(byte[] v6) {
        try {
            return (Inet4Address) InetAddress.getByAddress(Arrays.copyOfRange(v6, 12, 16));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are an IPv4 address", e);
        }
    }

    /** A literal, parsed without any lookup. */
    private static byte[] v6(String literal) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(literal);
        if (bytes == null || bytes.length != 16) {
            throw new IllegalStateException(literal + " is not an IPv6 literal");
        }
        return bytes;
    }
}
