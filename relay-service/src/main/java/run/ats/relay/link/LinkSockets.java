package run.ats.relay.link;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import run.ats.protocol.wire.BadFrame;
import run.ats.protocol.wire.LinkCodec;
import run.ats.protocol.wire.LinkMessage;
import run.ats.relay.RelayProperties;
import run.ats.relay.session.ChannelWebSocketSession;
import run.ats.relay.session.Outbox;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code /v1/link}, the accepting end: challenge the dialer, check it is a listed relay whose key
 * signed the challenge, prove our own key, then carry the trees it joins. A dialer that does not
 * prove itself within {@link #HELLO_TIMEOUT} is closed.
 */
@Component
public final class LinkSockets implements WebSocketHandler {

    static final Duration HELLO_TIMEOUT = Duration.ofSeconds(10);

    private final LinkPeers peers;
    private final LinkTraffic traffic;
    private final RelayProperties properties;
    private final Clock clock;
    private final Counter refused;
    private final java.util.concurrent.atomic.AtomicInteger children = new java.util.concurrent.atomic.AtomicInteger();

    LinkSockets(LinkPeers peers, LinkTraffic traffic, RelayProperties properties, Clock clock, MeterRegistry meters) {
        this.peers = peers;
        this.traffic = traffic;
        this.properties = properties;
        this.clock = clock;
        this.refused = meters.counter("ats.relay.links.refused");
        meters.gauge("ats.relay.links.children", children);
    }

    @Override
    public Mono<Void> handle(WebSocketSession session) {
        if (!(session instanceof ChannelWebSocketSession channelSession)) {
            return Mono.error(new IllegalStateException("links need the channel upgrade strategy"));
        }
        Channel channel = channelSession.channel();
        run.ats.tunnel.WebSocketKeepAlive.install(channel, properties.linkKeepalive());
        Outbox outbox = new Outbox(channel, properties.outboundQueue().toBytes() * 4, () -> { });
        String nonce = peers.nonce();
        AtomicReference<Link> link = new AtomicReference<>();
        outbox.offer(LinkCodec.encode(new LinkMessage.Challenge(peers.myId(), nonce)));

        Mono<Void> input = session.receive()
                // Pongs answer our keep-alive pings; the silence they break is all they carry.
                .filter(frame -> frame.getType() != WebSocketMessage.Type.PONG && frame.getType() != WebSocketMessage.Type.PING)
                .concatMap(frame -> {
                    LinkMessage message;
                    try {
                        message = LinkCodec.decode(frame.getPayloadAsText());
                    } catch (BadFrame bad) {
                        outbox.close(new CloseStatus(1008, "bad link frame: " + bad.getMessage()));
                        return Mono.empty();
                    }
                    Link open = link.get();
                    if (open != null) {
                        return traffic.onFrame(open, message);
                    } else if (message instanceof LinkMessage.Hello hello && peers.verify(hello.relayId(), nonce, hello.signature())) {
                        Link accepted = new Link(hello.relayId(), channel, outbox, false, clock.millis());
                        link.set(accepted);
                        children.incrementAndGet();
                        outbox.offer(LinkCodec.encode(new LinkMessage.Welcome(peers.myId(), peers.prove(hello.nonce(), hello.relayId()))));
                        traffic.opened(accepted);
                    } else {
                        refused.increment();
                        outbox.close(new CloseStatus(1008, "unauthorized: not a listed relay, or a wrong proof"));
                    }
                    return Mono.empty();
                })
                .then();
        Mono<Void> helloTimeout = Mono.delay(HELLO_TIMEOUT)
                .filter(tick -> link.get() == null)
                .doOnNext(tick -> outbox.close(new CloseStatus(1008, "no link hello within " + HELLO_TIMEOUT.toSeconds() + " s")))
                .then(Mono.never());
        Mono<Void> closer = outbox.closeRequested()
                .publishOn(Schedulers.fromExecutor(channel.eventLoop()))
                .flatMap(session::close)
                .then(Mono.delay(Duration.ofSeconds(2)))
                .then();
        return Mono.firstWithSignal(input, closer, helloTimeout)
                .doFinally(signal -> {
                    if (link.get() != null) {
                        children.decrementAndGet();
                        traffic.closed(link.get());
                    }
                });
    }
}
