package run.ats.relay.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.Channel;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import run.ats.protocol.wire.ServerMessage;
import run.ats.protocol.wire.WireCodec;
import run.ats.relay.RelayProperties;
import run.ats.relay.auth.RelayTokenVerifier;
import run.ats.relay.channel.Channels;
import run.ats.relay.identity.RelayIdentity;
import run.ats.relay.tunnel.TunnelledStreams;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code /v1/ws}: one {@link ClientConnection} per WebSocket, with the limits every connection shares. */
@Component
public final class RelaySockets implements WebSocketHandler {

    private static final Duration WATCHDOG_PERIOD = Duration.ofMillis(250);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    private final RelayProperties properties;
    private final RelayTokenVerifier verifier;
    private final Channels channels;
    private final TokenRates tokenRates;
    private final Clock clock;
    private final ServerMessage.Welcome welcome;
    private final ConcurrentHashMap<String, AtomicInteger> perIp = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger subscriptions = new AtomicInteger();
    private final Counter eventsIn;
    private final Counter duplicates;
    private final Counter slowConsumerCloses;
    private final Timer fanOut;
    private final run.ats.relay.push.PushRegistry push;
    private final TunnelledStreams tunnelled;

    RelaySockets(RelayProperties properties, RelayTokenVerifier verifier, Channels channels, TokenRates tokenRates,
                 Clock clock, RelayIdentity identity, MeterRegistry meters, run.ats.relay.push.PushRegistry push,
                 TunnelledStreams tunnelled) {
        this.tunnelled = tunnelled;
        this.push = push;
        this.properties = properties;
        this.verifier = verifier;
        this.channels = channels;
        this.tokenRates = tokenRates;
        this.clock = clock;
        this.welcome = new ServerMessage.Welcome(identity.relayId(), WireCodec.PROTOCOL, List.of("replay", "push"), Map.of(
                "maxFrameBytes", properties.maxFrame().toBytes(),
                "maxPayloadBytes", (long) WireCodec.MAX_PAYLOAD_BYTES,
                "maxTtlSeconds", properties.maxEventTtl().toSeconds(),
                "maxSubscriptions", (long) properties.maxSubscriptions(),
                "publishesPerSecond", (long) properties.publishesPerSecond(),
                "idleTimeoutSeconds", properties.idleTimeout().toSeconds()));
        meters.gauge("ats.relay.connections", connections);
        meters.gauge("ats.relay.subscriptions", subscriptions);
        this.eventsIn = meters.counter("ats.relay.events", "outcome", "in");
        this.duplicates = meters.counter("ats.relay.events", "outcome", "duplicate");
        this.slowConsumerCloses = meters.counter("ats.relay.slow.consumer.closes");
        this.fanOut = Timer.builder("ats.relay.fanout").description("publish received to every local subscriber queued")
                .publishPercentileHistogram().register(meters);
    }

    @Override
    public Mono<Void> handle(WebSocketSession session) {
        if (!(session instanceof ChannelWebSocketSession channelSession)) {
            return Mono.error(new IllegalStateException("the relay needs " + ChannelUpgradeStrategy.class.getSimpleName()));
        }
        Channel channel = channelSession.channel();
        String ip = clientIp(session);
        AtomicInteger fromIp = perIp.computeIfAbsent(ip, k -> new AtomicInteger());
        Outbox outbox = new Outbox(channel, properties.outboundQueue().toBytes(), slowConsumerCloses::increment);
        ClientConnection client = new ClientConnection(this, outbox, ip);
        connections.incrementAndGet();
        if (fromIp.incrementAndGet() > properties.connectionsPerIp()) {
            client.close(1008, "too many connections from your address");
        }

        // Frames go through in order; a close asked for by a frame waits for its close frame to go out.
        Mono<Void> input = session.receive()
                .doOnNext(frame -> client.touched(clock.millis()))
                .concatMap(frame -> client.onFrame(frame.getType(), bytes(frame)))
                .then();
        // Timeouts are checked beside the input rather than by cancelling it: cancelling the
        // inbound side makes reactor-netty drop the socket before our close frame is written.
        Mono<Void> watchdog = Flux.interval(WATCHDOG_PERIOD)
                .concatMap(tick -> client.checkTimeouts(clock.millis()))
                .then();
        // Send the close frame from the connection's event loop (reactor-netty drops the socket,
        // 1006, when close runs on a foreign thread), after the frames already queued; then give
        // the client CLOSE_GRACE to answer it (the input then completes and ends the session
        // cleanly) before the socket is dropped.
        Mono<Void> closer = outbox.closeRequested()
                .publishOn(Schedulers.fromExecutor(channel.eventLoop()))
                .flatMap(session::close)
                .then(Mono.delay(CLOSE_GRACE))
                .then();

        return Mono.firstWithSignal(input, closer, watchdog)
                .doFinally(signal -> {
                    client.closed();
                    connections.decrementAndGet();
                    if (fromIp.decrementAndGet() <= 0) {
                        perIp.remove(ip, fromIp);
                    }
                });
    }

    /** Open client connections now. */
    public int connections() {
        return connections.get();
    }

    RelayProperties properties() {
        return properties;
    }

    RelayTokenVerifier verifier() {
        return verifier;
    }

    run.ats.relay.push.PushRegistry push() {
        return push;
    }

    Channels channels() {
        return channels;
    }

    TokenRates tokenRates() {
        return tokenRates;
    }

    Clock clock() {
        return clock;
    }

    ServerMessage.Welcome welcome() {
        return welcome;
    }

    void subscriptionsChanged(int delta) {
        subscriptions.addAndGet(delta);
    }

    void published(Channels.Published outcome) {
        switch (outcome) {
            case DELIVERED -> eventsIn.increment();
            case DUPLICATE -> duplicates.increment();
            case NO_ROOM_FOR_CHANNEL, NO_ROOM_FOR_EVENT, NO_ROOM_FOR_OWNER -> { } // counted by Channels
        }
    }

    Timer fanOut() {
        return fanOut;
    }

    private static byte[] bytes(WebSocketMessage frame) {
        byte[] bytes = new byte[frame.getPayload().readableByteCount()];
        frame.getPayload().read(bytes);
        return bytes;
    }

    /**
     * The client's address, for the per-address limits. A connection through a tunnel comes from
     * one of this relay's own tunnel stream sockets, and the broker names the client in
     * {@code X-Forwarded-For} (set by the broker, never passed on from the client); that header
     * is believed only then. Any other peer, loopback included, is who it is.
     */
    private String clientIp(WebSocketSession session) {
        InetSocketAddress remote = session.getHandshakeInfo().getRemoteAddress();
        if (remote == null || remote.getAddress() == null) {
            return "unknown";
        }
        String forwarded = session.getHandshakeInfo().getHeaders().getFirst("X-Forwarded-For");
        if (forwarded != null && tunnelled.cameThrough(remote)) {
            return forwarded.strip();
        }
        return remote.getAddress().getHostAddress();
    }
}
