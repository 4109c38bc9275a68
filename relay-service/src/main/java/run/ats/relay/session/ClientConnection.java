package run.ats.relay.session;

import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import reactor.core.publisher.Mono;
import run.ats.protocol.token.InvalidRelayTokenException;
import run.ats.protocol.wire.BadFrame;
import run.ats.protocol.wire.ClientMessage;
import run.ats.protocol.wire.ErrorCode;
import run.ats.protocol.wire.ServerMessage;
import run.ats.protocol.wire.WireCodec;
import run.ats.relay.RelayProperties;
import run.ats.relay.auth.RelayTokenVerifier;
import run.ats.relay.channel.ChannelKey;
import run.ats.relay.channel.Channels;
import run.ats.relay.channel.Replay;
import run.ats.relay.channel.StoredEvent;
import run.ats.relay.channel.Subscriber;
import run.ats.relay.push.PushOwner;
import run.ats.relay.push.PushRegistry;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One client's state machine: waiting for {@code hello}, then ready. Frames of one connection
 * are handled one at a time, in order; deliveries from other connections arrive through the
 * {@link Outbox} from any thread.
 */
final class ClientConnection implements Subscriber {

    private final RelaySockets relay;
    private final RelayProperties properties;
    private final Outbox outbox;
    private final Clock clock;
    private final Set<ChannelKey> subscriptions = new HashSet<>();
    /** Each subscription's replay, while it may still be running: a resubscribe or unsubscribe cancels it. */
    private final Map<ChannelKey, Replay> replays = new HashMap<>();
    /** Push endpoints this connection registered: their devices sleep when it closes. */
    private final Set<String> pushEndpoints = new HashSet<>();
    private final PerSecond frames;
    private final PerSecond publishes;
    private volatile RelayTokenVerifier.Verified token;
    /** The client's address, as the per-address limits see it. */
    private final String address;
    private final long openedAtMs;
    private volatile long lastFrameAtMs;

    ClientConnection(RelaySockets relay, Outbox outbox, String address) {
        this.relay = relay;
        this.address = address;
        this.properties = relay.properties();
        this.outbox = outbox;
        this.clock = relay.clock();
        this.frames = new PerSecond(properties.framesPerSecond());
        this.publishes = new PerSecond(properties.publishesPerSecond());
        this.openedAtMs = clock.millis();
        this.lastFrameAtMs = openedAtMs;
    }

    void touched(long nowMs) {
        lastFrameAtMs = nowMs;
    }

    /** Closes a connection that never said hello in time, or has gone silent. */
    Mono<Void> checkTimeouts(long nowMs) {
        if (token == null && nowMs - openedAtMs >= properties.helloTimeout().toMillis()) {
            return close(1008, "no hello within " + properties.helloTimeout().toSeconds() + " s");
        }
        if (nowMs - lastFrameAtMs >= properties.idleTimeout().toMillis()) {
            return close(1008, "idle: no frame within " + properties.idleTimeout().toSeconds() + " s; send heartbeats");
        }
        // On this timer, not only when a text frame comes: pings and binary frames keep a
        // connection busy without ever asking the token again.
        if (expired(nowMs)) {
            return closeExpired();
        }
        return Mono.empty();
    }

    @Override
    public void deliver(byte[] frame) {
        // Checked here too, so that nothing is delivered between the expiry and the next tick.
        if (expired(clock.millis())) {
            closeExpired();
            return;
        }
        outbox.offer(frame);
    }

    private boolean expired(long nowMs) {
        RelayTokenVerifier.Verified current = token;
        return current != null && nowMs >= current.expiresAtMs();
    }

    private Mono<Void> closeExpired() {
        return close(1008, "token expired; reconnect with a fresh one");
    }

    /**
     * Any frame. Every kind counts toward the flood limit, pings and binary frames as much as
     * text: each costs the relay a read and, for a ping, a write.
     */
    Mono<Void> onFrame(WebSocketMessage.Type type, byte[] payload) {
        if (!frames.tryAcquire(clock.millis())) {
            return close(1008, "flood: more than " + properties.framesPerSecond() + " frames per second");
        }
        return switch (type) {
            case TEXT -> onText(payload);
            case BINARY -> onBinary();
            case PING -> {
                outbox.pong(payload);
                yield Mono.empty();
            }
            case PONG -> Mono.empty();
        };
    }

    /** A text frame arrived: its bytes, which should be UTF-8. */
    private Mono<Void> onText(byte[] utf8) {
        long now = clock.millis();
        if (utf8.length > properties.maxFrame().toBytes()) {
            return close(1009, "frame over " + properties.maxFrame().toBytes() + " bytes");
        }
        String text;
        try {
            // Strict: a lenient decode would turn bad bytes into U+FFFD and might accept the frame.
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            // RFC 6455 section 8.1: a text frame that is not UTF-8 fails the connection.
            return close(1007, "text frame is not valid UTF-8");
        }
        if (expired(now)) {
            return closeExpired();
        }
        ClientMessage message;
        try {
            message = WireCodec.decode(text);
        } catch (BadFrame bad) {
            if (token == null) {
                return close(1008, "the first frame must be a valid hello");
            }
            send(bad.toError());
            return Mono.empty();
        }
        if (token == null) {
            return message instanceof ClientMessage.Hello hello
                    ? hello(hello)
                    : close(1008, "the first frame must be hello");
        }
        switch (message) {
            case ClientMessage.Hello hello -> send(error(ErrorCode.BAD_REQUEST, "already said hello", null));
            case ClientMessage.Subscribe s -> subscribe(new ChannelKey(s.topic(), s.cell()));
            case ClientMessage.Unsubscribe u -> unsubscribe(new ChannelKey(u.topic(), u.cell()));
            case ClientMessage.Publish p -> publish(p, now);
            case ClientMessage.Heartbeat h -> send(new ServerMessage.Heartbeat());
            case ClientMessage.PushRegister r -> pushRegister(r);
            case ClientMessage.PushUnregister u -> {
                relay.push().unregister(u.endpoint());
                pushEndpoints.remove(u.endpoint());
                send(new ServerMessage.PushUnregistered());
            }
        }
        return Mono.empty();
    }

    /** A binary frame arrived: the protocol is text only. */
    private Mono<Void> onBinary() {
        if (token == null) {
            return close(1008, "the first frame must be hello");
        }
        send(error(ErrorCode.BAD_REQUEST, "binary frames are not part of the protocol; send JSON text", null));
        return Mono.empty();
    }

    private void pushRegister(ClientMessage.PushRegister request) {
        try {
            send(relay.push().register(new PushOwner(this, token.subject(), address), request));
            pushEndpoints.add(request.endpoint());
        } catch (PushRegistry.Refused refused) {
            send(error(refused.code(), refused.getMessage(), null));
        }
    }

    /** The connection ended, however: leave every channel; its push registrations now wake the device. */
    void closed() {
        relay.push().ownerClosed(this, pushEndpoints);
        for (ChannelKey key : subscriptions) {
            relay.channels().unsubscribe(key, this);
        }
        relay.subscriptionsChanged(-subscriptions.size());
        subscriptions.clear();
    }

    Mono<Void> close(int code, String reason) {
        outbox.close(new CloseStatus(code, reason));
        return Mono.empty();
    }

    private Mono<Void> hello(ClientMessage.Hello hello) {
        if (hello.protocol() != WireCodec.PROTOCOL) {
            return close(1008, "protocol " + hello.protocol() + " is not spoken here; this relay speaks " + WireCodec.PROTOCOL);
        }
        return relay.verifier().verify(hello.token())
                .doOnNext(verified -> {
                    token = verified;
                    send(relay.welcome());
                })
                .then()
                .onErrorResume(InvalidRelayTokenException.class, invalid -> close(1008, "unauthorized: " + invalid.getMessage()));
    }

    private void subscribe(ChannelKey key) {
        if (!subscriptions.contains(key) && subscriptions.size() >= properties.maxSubscriptions()) {
            send(error(ErrorCode.LIMIT_REACHED, "at most " + properties.maxSubscriptions() + " subscriptions per connection", null));
            return;
        }
        Replay replay;
        try {
            replay = relay.channels().subscribeWithReplay(key, this);
        } catch (Channels.Full full) {
            send(error(ErrorCode.OVER_CAPACITY, full.getMessage(), null));
            return;
        }
        if (subscriptions.add(key)) {
            relay.subscriptionsChanged(1);
        }
        send(new ServerMessage.Subscribed(key.topic(), key.cell()));
        // Paced by the outbox: however much the channel holds, the replay never closes its reader.
        Replay previous = replays.put(key, replay);
        if (previous != null) {
            previous.cancel();
        }
        outbox.replay(replay);
    }

    private void unsubscribe(ChannelKey key) {
        Replay replay = replays.remove(key);
        if (replay != null) {
            replay.cancel();
        }
        if (subscriptions.remove(key)) {
            relay.channels().unsubscribe(key, this);
            relay.subscriptionsChanged(-1);
        }
        send(new ServerMessage.Unsubscribed(key.topic(), key.cell()));
    }

    private void publish(ClientMessage.Publish p, long now) {
        if (!publishes.tryAcquire(now) || !relay.tokenRates().tryAcquire(token.subject())) {
            send(error(ErrorCode.RATE_LIMITED, "at most " + properties.publishesPerSecond()
                    + " publishes per second per connection and " + properties.publishesPerSecondPerToken() + " per token", p.id()));
            return;
        }
        long ttlMs = Math.min(p.ttl() * 1000, properties.maxEventTtl().toMillis());
        long expiresAt = now + ttlMs;
        byte[] frame = WireCodec.encode(new ServerMessage.Event(p.topic(), p.cell(), p.id(), p.payload(), expiresAt));
        StoredEvent event = new StoredEvent(p.id(), expiresAt, frame, true);
        Channels.Published outcome = relay.fanOut().record(() -> relay.channels().publish(new ChannelKey(p.topic(), p.cell()), event, this, address));
        relay.published(outcome);
        switch (outcome) {
            case DELIVERED, DUPLICATE -> send(new ServerMessage.Ack(p.id()));
            case NO_ROOM_FOR_CHANNEL, NO_ROOM_FOR_EVENT, NO_ROOM_FOR_OWNER ->
                    send(error(ErrorCode.OVER_CAPACITY, relay.channels().noRoom(outcome), p.id()));
        }
    }

    private void send(ServerMessage message) {
        outbox.offer(WireCodec.encode(message));
    }

    private static ServerMessage.Error error(ErrorCode code, String message, String id) {
        return new ServerMessage.Error(code, message, id);
    }
}
