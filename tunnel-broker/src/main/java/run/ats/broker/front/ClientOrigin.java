package run.ats.broker.front;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * Who one public connection's client is, for the relay's per-address limits: the address a
 * replica vouched for when it handed the connection over, else what a trusted proxy says, else
 * the peer itself. Set by the broker on every forwarded request, never taken from the client.
 */
final class ClientOrigin {

    private final String peer;
    private final boolean viaProxy;
    private final TrustedProxies proxies;
    private final boolean tls;
    /** The client's address as the replica that handed this connection over vouched for it (its token shown). */
    private String vouchedFor;

    ClientOrigin(Channel client, TrustedProxies proxies, boolean tls) {
        InetSocketAddress remote = client.remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null ? inet : null;
        this.peer = remote == null ? "unknown" : remote.getAddress().getHostAddress();
        this.viaProxy = remote != null && proxies.contains(remote.getAddress());
        this.proxies = proxies;
        this.tls = tls;
    }

    /** The peer is a trusted proxy (an ingress controller): its forwarded headers name the client. */
    boolean viaProxy() {
        return viaProxy;
    }

    /** A replica handed this connection over, naming the client in {@code X-Forwarded-For}. */
    void vouchedBy(HttpRequest request) {
        vouchedFor = request.headers().get("X-Forwarded-For", "unknown");
    }

    boolean handedOver() {
        return vouchedFor != null;
    }

    String forwardedFor(HttpRequest request) {
        if (vouchedFor != null) {
            return vouchedFor;
        }
        if (viaProxy) {
            return proxies.client(request.headers().get("X-Forwarded-For")).orElse(peer);
        }
        return peer;
    }

    String forwardedProto(HttpRequest request) {
        String proto = viaProxy ? request.headers().get("X-Forwarded-Proto", "") : "";
        if (proto.equalsIgnoreCase("https") || proto.equalsIgnoreCase("http")) {
            return proto.toLowerCase(Locale.ROOT);
        }
        return tls ? "https" : "http";
    }
}
