package run.ats.relay.link;

import reactor.netty.http.client.HttpClient;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Locale;

/**
 * Where to connect for a peer's URL. Names under {@code .localhost} are loopback (RFC 6761),
 * as browsers and curl treat them, though Java's resolver does not: with a local broker, relays
 * are listed as {@code ws://name.relays.localhost:8443/...} and must still reach each other.
 *
 * <p>Outside a local run ({@code ats.relay.link.allow-private-peers=false}) only public addresses
 * ({@link PublicAddresses}) are dialed: a URL naming another one, literally or as
 * {@code localhost}, is refused before anything is sent, and a name is resolved first and the
 * connection goes only to those of its addresses that are public (none: refused). Checking the
 * resolved address, not the name, is what keeps a name that resolves to an internal address
 * (or is re-pointed there later) out.
 */
final class PeerAddresses {

    /** A listed peer URL this relay will not connect to. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private PeerAddresses() {
    }

    static HttpClient to(HttpClient client, URI url, boolean allowPrivate) throws Refused {
        String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
        if (host.isEmpty()) {
            throw new Refused("a peer URL without a host: " + url);
        }
        boolean local = host.equals("localhost") || host.endsWith(".localhost");
        if (local) {
            if (!allowPrivate) {
                throw new Refused("a peer URL at localhost outside a local run: " + url);
            }
            int port = url.getPort() >= 0 ? url.getPort() : ("wss".equals(url.getScheme()) || "https".equals(url.getScheme()) ? 443 : 80);
            return client.remoteAddress(() -> new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
        if (allowPrivate) {
            return client;
        }
        InetAddress literal = PublicAddresses.literal(host);
        if (literal != null) {
            if (!PublicAddresses.isPublic(literal)) {
                throw new Refused("a peer URL at a non-public address: " + url);
            }
            return client;
        }
        // A name: connect only to the public ones among the addresses it resolves to.
        return client.resolvedAddressesSelector((config, resolved) -> resolved.stream()
                .filter(address -> address instanceof InetSocketAddress socket && socket.getAddress() != null
                        && PublicAddresses.isPublic(socket.getAddress()))
                .toList());
    }
}
