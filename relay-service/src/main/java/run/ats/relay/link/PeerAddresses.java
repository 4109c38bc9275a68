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
 */
final class PeerAddresses {

    private PeerAddresses() {
    }

    static HttpClient to(HttpClient client, URI url) {
        String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
        if (!host.equals("localhost") && !host.endsWith(".localhost")) {
            return client;
        }
        int port = url.getPort() >= 0 ? url.getPort() : ("wss".equals(url.getScheme()) || "https".equals(url.getScheme()) ? 443 : 80);
        return client.remoteAddress(() -> new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }
}
