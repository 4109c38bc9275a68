package run.ats.broker.tunnel;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import org.springframework.stereotype.Component;
import run.ats.broker.BrokerProperties;
import run.ats.broker.directory.DirectoryWatch;

import run.ats.tunnel.TunnelHandshake;

import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Makes the handler of each tunnel a relay opens at {@code /v1/tunnel}. */
@Component
public final class TunnelAcceptor {

    private final BrokerProperties properties;
    private final DirectoryWatch directory;
    private final Tunnels tunnels;
    private final SecureRandom random;
    private final Counter failures;
    /** This broker's origins as relays dial it; empty: loopback at the port a tunnel arrived on. */
    private final Set<String> origins;

    TunnelAcceptor(BrokerProperties properties, DirectoryWatch directory, Tunnels tunnels, SecureRandom random, MeterRegistry meters) {
        this.properties = properties;
        this.directory = directory;
        this.tunnels = tunnels;
        this.random = random;
        this.failures = meters.counter("ats.broker.handshake.failures");
        this.origins = properties.tunnelUrls().stream().map(TunnelHandshake::brokerOrigin).collect(Collectors.toUnmodifiableSet());
    }

    public ChannelHandler newConnection() {
        return new TunnelConnection(properties, directory, tunnels, failures, random, this::origins);
    }

    /** The origins a relay's proof may name on {@code tunnel}: those configured, else this port on loopback (a local run). */
    private Set<String> origins(Channel tunnel) {
        if (!origins.isEmpty()) {
            return origins;
        }
        int port = ((InetSocketAddress) tunnel.localAddress()).getPort();
        String scheme = properties.tlsEnabled() ? "wss" : "ws";
        return Stream.of("127.0.0.1", "localhost", "[::1]")
                .map(host -> TunnelHandshake.brokerOrigin(URI.create(scheme + "://" + host + ":" + port)))
                .collect(Collectors.toUnmodifiableSet());
    }
}
