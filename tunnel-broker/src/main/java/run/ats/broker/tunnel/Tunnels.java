package run.ats.broker.tunnel;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import org.springframework.stereotype.Component;
import run.ats.tunnel.TunnelMux;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tunnels this broker holds, one per relay: a second tunnel from the same relay replaces
 * the first at once (the old one is closed), so a relay that reconnected after a network change
 * never waits for its stale tunnel to time out.
 */
@Component
public final class Tunnels {

    /** One relay's tunnel. */
    public record Tunnel(String relayId, String name, Channel channel, TunnelMux mux) {
    }

    private final Map<String, Tunnel> byRelay = new ConcurrentHashMap<>();
    private final Counter replaced;

    Tunnels(MeterRegistry meters) {
        meters.gaugeMapSize("ats.broker.tunnels", java.util.List.of(), byRelay);
        meters.gauge("ats.broker.streams", byRelay, map -> map.values().stream().mapToInt(t -> t.mux().streams()).sum());
        this.replaced = meters.counter("ats.broker.tunnels.replaced");
    }

    public Optional<Tunnel> of(String relayId) {
        Tunnel tunnel = byRelay.get(relayId);
        return tunnel == null || tunnel.mux().closed() ? Optional.empty() : Optional.of(tunnel);
    }

    void put(Tunnel tunnel) {
        Tunnel previous = byRelay.put(tunnel.relayId(), tunnel);
        if (previous != null && previous != tunnel) {
            replaced.increment();
            previous.mux().close();
            previous.channel().close();
        }
    }

    void remove(Tunnel tunnel) {
        byRelay.remove(tunnel.relayId(), tunnel);
    }
}
