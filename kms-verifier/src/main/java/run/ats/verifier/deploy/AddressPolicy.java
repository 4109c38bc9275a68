package run.ats.verifier.deploy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

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
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            byte[] embedded = embeddedIpv4(b);
            if (embedded != null) {
                try {
                    return refusal(InetAddress.getByAddress(embedded));
                } catch (UnknownHostException e) {
                    return "malformed";
                }
            }
            if ((b[0] & 0xfe) == 0xfc) {
                return "unique local (fc00::/7)";
            }
        }
        if (address.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (address.isLinkLocalAddress()) {
            return "link-local (cloud metadata lives here)";
        }
        if (address.isSiteLocalAddress()) {
            return "private";
        }
        if (address.isMulticastAddress()) {
            return "multicast";
        }
        if (address instanceof Inet4Address v4) {
            int a = v4.getAddress()[0] & 0xff;
            int b = v4.getAddress()[1] & 0xff;
            if (a == 0) {
                return "this network (0.0.0.0/8)";
            }
            if (a == 100 && b >= 64 && b <= 127) {
                return "carrier-grade NAT (100.64.0.0/10)";
            }
            if (a == 192 && b == 0 && (v4.getAddress()[2] & 0xff) == 0) {
                return "IETF protocol assignments (192.0.0.0/24)";
            }
            if (a == 198 && (b == 18 || b == 19)) {
                return "benchmarking (198.18.0.0/15)";
            }
            if (a >= 240) {
                return "reserved (240.0.0.0/4)";
            }
        }
        return null;
    }

    /** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) address. */
    private static byte[] embeddedIpv4(byte[] v6) {
        boolean mapped = Arrays.equals(v6, 0, 10, new byte[10], 0, 10) && (v6[10] & 0xff) == 0xff && (v6[11] & 0xff) == 0xff;
        boolean nat64 = (v6[0] & 0xff) == 0x00 && (v6[1] & 0xff) == 0x64 && (v6[2] & 0xff) == 0xff && (v6[3] & 0xff) == 0x9b
                && Arrays.equals(v6, 4, 12, new byte[8], 0, 8);
        return mapped || nat64 ? Arrays.copyOfRange(v6, 12, 16) : null;
    }
}
