package run.ats.broker.front;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelHandler;
import run.ats.broker.BrokerProperties;
import run.ats.broker.directory.DirectoryWatch;
import run.ats.broker.tunnel.Tunnels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** What every public connection's handler needs. */
record FrontContext(BrokerProperties properties, DirectoryWatch directory, Tunnels tunnels, Counter refused,
                    AtomicInteger forwarding, Counter bytesToRelays, Counter bytesToClients, Supplier<ChannelHandler> tunnelConnections) {

    ChannelHandler newTunnelConnection() {
        return tunnelConnections.get();
    }
}
