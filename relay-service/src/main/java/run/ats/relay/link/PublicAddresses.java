package run.ats.relay.link;

import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * Whether an address is one on the public internet, so a listed relay's URL cannot point this
 * relay's link dials and directory fetches at its own network. Refused: unspecified, loopback,
 * private (RFC 1918), shared CGNAT (100.64/10), link-local, benchmarking, documentation, IETF
 * protocol assignments, multicast, reserved and broadcast IPv4; and for IPv6 the same kinds
 * (unspecified, loopback, unique-local fc00::/7, link-local, site-local, multicast,
 * documentation 2001:db8::/32) plus every form that carries an IPv4 address or reaches one
 * through a translator (IPv4-mapped and -compatible, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4
 * 2002::/16, Teredo 2001::/32): those are judged by the IPv4 address they embed where there is
 * one, and refused where the path through a relay cannot be judged (NAT64, Teredo).
 */
final class PublicAddresses {

    private PublicAddresses() {
    }

    static boolean isPublic(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            return isPublic4(v4.getAddress());
        }
        byte[] a = address.getAddress();
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        int first16 = ((a[0] & 0xFF) << 8) | (a[1] & 0xFF);
        int second16 = ((a[2] & 0xFF) << 8) | (a[3] & 0xFF);
        if ((a[0] & 0xFE) == 0xFC) {
            return false; // unique local fc00::/7
        }
        if (first16 == 0x2001 && second16 == 0x0DB8) {
            return false; // documentation
        }
        if (first16 == 0x2001 && second16 == 0x0000) {
            return false; // Teredo: tunnels to an IPv4 host through a relay we cannot judge
        }
        if (first16 == 0x0064 && second16 == 0xFF9B) {
            return false; // NAT64, well-known 64:ff9b::/96 and local-use 64:ff9b:1::/48
        }
        if (first16 == 0x2002) {
            return isPublic4(Arrays.copyOfRange(a, 2, 6)); // 6to4 carries its IPv4 address
        }
        boolean zero80 = allZero(a, 0, 10);
        if (zero80 && (a[10] & 0xFF) == 0xFF && (a[11] & 0xFF) == 0xFF) {
            return isPublic4(Arrays.copyOfRange(a, 12, 16)); // IPv4-mapped (Java usually hands these over as IPv4)
        }
        if (zero80 && a[10] == 0 && a[11] == 0) {
            return false; // IPv4-compatible ::/96 (deprecated), :: and ::1 among them
        }
        return address instanceof Inet6Address;
    }

    /** A literal address (no DNS): {@code 10.0.0.1}, {@code ::1}, {@code [::1]}; null for anything else. */
    static InetAddress literal(String text) {
        String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        return NetUtil.createInetAddressFromIpAddressString(bare);
    }

    private static boolean isPublic4(byte[] a) {
        int b0 = a[0] & 0xFF;
        int b1 = a[1] & 0xFF;
        int b2 = a[2] & 0xFF;
        return !(b0 == 0                                  // "this network"
                || b0 == 10                               // private
                || b0 == 100 && (b1 & 0xC0) == 64         // shared address space (CGNAT)
                || b0 == 127                              // loopback
                || b0 == 169 && b1 == 254                 // link-local
                || b0 == 172 && (b1 & 0xF0) == 16         // private
                || b0 == 192 && b1 == 0 && b2 == 0        // IETF protocol assignments
                || b0 == 192 && b1 == 0 && b2 == 2        // documentation
                || b0 == 192 && b1 == 88 && b2 == 99      // 6to4 relay anycast (deprecated)
                || b0 == 192 && b1 == 168                 // private
                || b0 == 198 && (b1 & 0xFE) == 18         // benchmarking
                || b0 == 198 && b1 == 51 && b2 == 100     // documentation
                || b0 == 203 && b1 == 0 && b2 == 113      // documentation
                || b0 >= 224);                            // multicast, reserved, broadcast
    }

    private static boolean allZero(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
