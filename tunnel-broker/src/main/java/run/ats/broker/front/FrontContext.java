package run.ats.broker.front;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.SslContext;
import run.ats.broker.BrokerProperties;
import run.ats.broker.directory.DirectoryWatch;
import run.ats.broker.peers.PeerTunnels;
import run.ats.broker.tunnel.Tunnels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** What every public connection's handler needs; {@code peerTls} null when the public port is plain. */
record FrontContext(BrokerProperties properties, DirectoryWatch directory, Tunnels tunnels, Counter refused,
                    AtomicInteger forwarding, Counter bytesToRelays, Counter bytesToClients, Supplier<ChannelHandler> tunnelConnections,
                    PeerTunnels peers, Counter handedOver, SslContext peerTls, AddressLimit addresses,
                    TrustedProxies proxies) {

    ChannelHandler newTunnelConnection() {
        return tunnelConnections.get();
    }
}
