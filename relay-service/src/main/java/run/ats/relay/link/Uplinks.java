package run.ats.relay.link;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import run.ats.protocol.wire.BadFrame;
import run.ats.protocol.wire.LinkCodec;
import run.ats.protocol.wire.LinkMessage;
import run.ats.relay.RelayProperties;
import run.ats.relay.session.Outbox;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The links this relay dials, one per peer, whatever number of trees each carries. A peer that
 * cannot be reached (or whose link drops) is not dialed again for {@code link-retry}; the
 * {@link TreeRouter} reads who is up, and since when.
 */
@Component
final class Uplinks {

    private static final Logger log = LoggerFactory.getLogger(Uplinks.class);
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    static final long MAX_DAMPING = 16;

    private final LinkPeers peers;
    private final LinkTraffic traffic;
    private final RelayProperties properties;
    private final LinkSettings settings;
    private final Clock clock;
    private final Map<String, Link> up = new ConcurrentHashMap<>();
    private final Map<String, Long> retryAfterMs = new ConcurrentHashMap<>();
    private final Map<String, Boolean> dialing = new ConcurrentHashMap<>();
    /** When each peer's link last dropped, newest last, within {@code link-flap-window}. */
    private final Map<String, Deque<Long>> drops = new ConcurrentHashMap<>();
    private final HttpClient client = HttpClient.create();

    Uplinks(LinkPeers peers, LinkTraffic traffic, RelayProperties properties, LinkSettings settings, Clock clock, MeterRegistry meters) {
        this.peers = peers;
        this.settings = settings;
        this.traffic = traffic;
        this.properties = properties;
        this.clock = clock;
        meters.gaugeMapSize("ats.relay.links.up", java.util.List.of(), up);
    }

    /** The open link to {@code peerId}, if there is one. */
    Optional<Link> link(String peerId) {
        Link link = up.get(peerId);
        return link != null && link.open() ? Optional.of(link) : Optional.empty();
    }

    /**
     * How long a link to {@code peerId} must have been up before trees move back to it: the
     * hold-down, doubled for every further drop of that peer's link within the flap window (at
     * most {@link #MAX_DAMPING} times), so a root that keeps flapping is trusted ever later.
     */
    long holdDownMs(String peerId) {
        Deque<Long> recent = drops.get(peerId);
        int count = 0;
        if (recent != null) {
            synchronized (recent) {
                forget(recent);
                count = recent.size();
            }
        }
        return properties.linkHoldDown().toMillis() * Math.min(MAX_DAMPING, 1L << Math.max(0, Math.min(count - 1, 30)));
    }

    private void dropped(String peerId) {
        Deque<Long> recent = drops.computeIfAbsent(peerId, id -> new ArrayDeque<>());
        synchronized (recent) {
            recent.addLast(clock.millis());
            forget(recent);
            if (recent.size() > 64) {
                recent.removeFirst();
            }
        }
    }

    private void forget(Deque<Long> recent) {
        long since = clock.millis() - properties.linkFlapWindow().toMillis();
        while (!recent.isEmpty() && recent.peekFirst() < since) {
            recent.removeFirst();
        }
    }

    /** Dials {@code peerId} in the background unless it is up, being dialed, or waiting out a failure. */
    void dialIfDue(String peerId) {
        if (link(peerId).isPresent() || clock.millis() < retryAfterMs.getOrDefault(peerId, 0L)
                || dialing.putIfAbsent(peerId, Boolean.TRUE) != null) {
            return;
        }
        Optional<URI> url = peers.linkUrl(peerId);
        if (url.isEmpty()) {
            dialing.remove(peerId);
            return;
        }
        dial(peerId, url.get())
                .doFinally(signal -> dialing.remove(peerId))
                .subscribe(link -> {
                    up.put(peerId, link);
                    log.info("Linked to relay {}", peerId);
                }, error -> failed(peerId, error.toString()));
    }

    private void failed(String peerId, String why) {
        retryAfterMs.put(peerId, clock.millis() + properties.linkRetry().toMillis());
        log.info("No link to relay {} ({}); retrying in {} ms", peerId, why, properties.linkRetry().toMillis());
    }

    private Mono<Link> dial(String peerId, URI url) {
        HttpClient toPeer;
        try {
            toPeer = PeerAddresses.to(client, url, settings.allowPrivatePeers());
        } catch (PeerAddresses.Refused refused) {
            return Mono.error(refused);
        }
        Sinks.One<Link> ready = Sinks.one();
        String myNonce = peers.nonce();
        AtomicReference<Channel> connection = new AtomicReference<>();
        toPeer.websocket(WebsocketClientSpec.builder().maxFramePayloadLength((int) properties.maxFrame().toBytes() * 4).build())
                .uri(url)
                .handle((in, out) -> {
                    AtomicReference<Channel> channel = new AtomicReference<>();
                    in.withConnection(c -> channel.set(c.channel()));
                    connection.set(channel.get());
                    run.ats.tunnel.WebSocketKeepAlive.install(channel.get(), properties.linkKeepalive());
                    Outbox outbox = new Outbox(channel.get(), properties.outboundQueue().toBytes() * 4, () -> { });
                    outbox.closeRequested().subscribe(status -> channel.get().close());
                    AtomicReference<Link> link = new AtomicReference<>();
                    return in.receiveFrames()
                            // Pongs answer our keep-alive pings; the silence they break is all they carry.
                            .filter(frame -> !(frame instanceof PingWebSocketFrame || frame instanceof PongWebSocketFrame))
                            .map(frame -> frame.content().toString(StandardCharsets.UTF_8))
                            .concatMap(text -> handshakeOrTraffic(peerId, myNonce, text, channel.get(), outbox, link, ready))
                            .then()
                            .doFinally(signal -> {
                                Link closed = link.get();
                                if (closed != null) {
                                    up.remove(peerId, closed);
                                    dropped(peerId);
                                    traffic.closed(closed);
                                    failed(peerId, "link closed");
                                }
                                ready.tryEmitError(new IllegalStateException("closed during the handshake"));
                            });
                })
                .subscribe(done -> { }, error -> ready.tryEmitError(error));
        // A handshake that does not finish in time is abandoned: close its connection too, or
        // the peer would keep a link nobody uses.
        return ready.asMono()
                .timeout(HANDSHAKE_TIMEOUT)
                .doOnError(error -> {
                    Channel abandoned = connection.get();
                    if (abandoned != null) {
                        abandoned.close();
                    }
                });
    }

    private Mono<Void> handshakeOrTraffic(String peerId, String myNonce, String text, Channel channel, Outbox outbox,
                                          AtomicReference<Link> link, Sinks.One<Link> ready) {
        LinkMessage message;
        try {
            message = LinkCodec.decode(text);
        } catch (BadFrame bad) {
            channel.close();
            return Mono.empty();
        }
        Link open = link.get();
        if (open != null) {
            return traffic.onFrame(open, message);
        } else if (message instanceof LinkMessage.Challenge challenge && challenge.relayId().equals(peerId)) {
            outbox.offer(LinkCodec.encode(new LinkMessage.Hello(peers.myId(), myNonce, peers.prove(challenge.nonce(), peerId))));
        } else if (message instanceof LinkMessage.Welcome welcome && welcome.relayId().equals(peerId)
                && peers.verify(peerId, myNonce, welcome.signature())) {
            Link dialed = new Link(peerId, channel, outbox, true, clock.millis());
            if (ready.tryEmitValue(dialed).isFailure()) {
                // The dial was given up (timed out) just before the welcome came.
                channel.close();
                return Mono.empty();
            }
            link.set(dialed);
            traffic.opened(dialed);
        } else {
            // A peer that is not who the directory says, or that skips the handshake.
            channel.close();
        }
        return Mono.empty();
    }
}
