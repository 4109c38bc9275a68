package run.ats.broker.tunnel;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import org.springframework.stereotype.Component;
import run.ats.broker.BrokerProperties;
import run.ats.broker.directory.DirectoryWatch;

import java.security.SecureRandom;

/** Makes the handler of each tunnel a relay opens at {@code /v1/tunnel}. */
@Component
public final class TunnelAcceptor {

    private final BrokerProperties properties;
    private final DirectoryWatch directory;
    private final Tunnels tunnels;
    private final SecureRandom random;
    private final Counter failures;

    TunnelAcceptor(BrokerProperties properties, DirectoryWatch directory, Tunnels tunnels, SecureRandom random, MeterRegistry meters) {
        this.properties = properties;
        this.directory = directory;
        this.tunnels = tunnels;
        this.random = random;
        this.failures = meters.counter("ats.broker.handshake.failures");
    }

    public ChannelHandler newConnection() {
        return new TunnelConnection(properties, directory, tunnels, failures, random);
    }
}
