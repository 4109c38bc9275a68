package run.ats.relay.tunnel;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import run.ats.relay.RelayProperties;
import run.ats.relay.directory.DirectoryHolder;
import run.ats.relay.identity.RelayIdentity;
import run.ats.tunnel.ChannelEndpoint;
import run.ats.tunnel.TunnelHandshake;
import run.ats.tunnel.TunnelMux;
import run.ats.tunnel.TunnelStream;
import run.ats.tunnel.WebSocketKeepAlive;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps a tunnel open to every broker in {@code ats.relay.broker-urls}, so the relay is
 * reachable at its public name with no port open to the outside. Each stream the broker opens
 * becomes a connection to this relay's own port on loopback. A tunnel that drops (or never
 * comes up: the relay is not claimed yet, the broker is down) is dialed again after a jittered,
 * doubling delay, 1 s to 30 s; one that lasted a minute starts again from 1 s.
 */
@Component
final class TunnelDialer {

    private static final Logger log = LoggerFactory.getLogger(TunnelDialer.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LAST_RETRY = Duration.ofSeconds(30);
    private static final Duration STABLE = Duration.ofMinutes(1);

    private final RelayProperties properties;
    private final RelayIdentity identity;
    private final Counter reconnects;
    private final HttpClient client = HttpClient.create();
    /** Per broker: its current connection attempt (or tunnel), replaced at each dial. */
    private final java.util.Map<URI, Disposable> dialing = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean stopped;
    private volatile InetSocketAddress local;

    /** Per broker: the retry waiting to dial it, if one is. */
    private final java.util.Map<URI, Disposable> waiting = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<URI> up = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final DirectoryHolder directory;
    private final TunnelledStreams streams;
    private Disposable watchingDirectory;

    TunnelDialer(RelayProperties properties, RelayIdentity identity, DirectoryHolder directory, TunnelledStreams streams,
                 MeterRegistry meters) {
        this.properties = properties;
        this.streams = streams;
        this.identity = identity;
        this.directory = directory;
        this.reconnects = meters.counter("ats.relay.tunnel.reconnects");
        meters.gaugeCollectionSize("ats.relay.tunnels", java.util.List.of(), up);
    }

    @EventListener
    void onServerStarted(WebServerInitializedEvent event) {
        if (properties.brokerUrls().isEmpty() || event.getApplicationContext().getServerNamespace() != null) {
            return;
        }
        local = new InetSocketAddress("127.0.0.1", event.getWebServer().getPort());
        for (URI broker : properties.brokerUrls()) {
            try {
                TunnelHandshake.brokerOrigin(broker);
            } catch (IllegalArgumentException e) {
                log.error("Not dialing broker {}: ats.relay.broker-urls: {}", broker, e.getMessage());
                continue;
            }
            dial(broker, FIRST_RETRY);
        }
        // Claimed just now (the directory lists this relay with a name): dial at once, not after the backoff.
        watchingDirectory = directory.changes()
                .filter(signed -> signed.directory().relay(identity.relayId()).map(entry -> entry.name() != null).orElse(false))
                .subscribe(listed -> waiting.forEach((broker, retry) -> {
                    if (waiting.remove(broker, retry)) {
                        retry.dispose();
                        dial(broker, FIRST_RETRY);
                    }
                }));
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        stopped = true;
        dialing.values().forEach(Disposable::dispose);
        waiting.values().forEach(Disposable::dispose);
        if (watchingDirectory != null) {
            watchingDirectory.dispose();
        }
    }

    private void dial(URI broker, Duration backoff) {
        if (stopped) {
            return;
        }
        long started = System.nanoTime();
        AtomicReference<TunnelMux> mux = new AtomicReference<>();
        Disposable attempt = client.websocket(WebsocketClientSpec.builder().maxFramePayloadLength(64 * 1024).build())
                .uri(broker)
                .handle((in, out) -> {
                    AtomicReference<Channel> channel = new AtomicReference<>();
                    in.withConnection(connection -> channel.set(connection.channel()));
                    in.receiveCloseStatus().subscribe(status -> {
                        if (mux.get() == null) {
                            log.info("Tunnel to {} refused: {}", broker, status.reasonText());
                        }
                    });
                    return in.receiveFrames()
                            .doOnNext(frame -> onFrame(broker, channel.get(), mux, frame))
                            .then();
                })
                .then(Mono.<Void>empty())
                .doFinally(signal -> {
                    TunnelMux ended = mux.get();
                    if (ended != null) {
                        up.remove(broker);
                        ended.close();
                        log.info("Tunnel to {} closed; dialing again", broker);
                        reconnects.increment();
                    }
                    boolean lasted = Duration.ofNanos(System.nanoTime() - started).compareTo(STABLE) > 0;
                    Duration next = lasted ? FIRST_RETRY : backoff;
                    long jittered = next.toMillis() / 2 + ThreadLocalRandom.current().nextLong(next.toMillis() / 2 + 1);
                    if (!stopped) {
                        Disposable[] retry = new Disposable[1];
                        retry[0] = reactor.core.scheduler.Schedulers.parallel().schedule(() -> {
                            if (waiting.remove(broker, retry[0])) {
                                dial(broker, min(next.multipliedBy(2), LAST_RETRY));
                            }
                        }, jittered, java.util.concurrent.TimeUnit.MILLISECONDS);
                        waiting.put(broker, retry[0]);
                    }
                })
                .subscribe(done -> { }, error -> log.info("No tunnel to {}: {}", broker, error.getMessage()));
        dialing.put(broker, attempt);
    }

    private void onFrame(URI broker, Channel channel, AtomicReference<TunnelMux> mux, WebSocketFrame frame) {
        TunnelMux open = mux.get();
        if (open != null && frame instanceof BinaryWebSocketFrame binary) {
            open.onFrame(binary.content());
        } else if (open == null && frame instanceof TextWebSocketFrame text) {
            handshake(broker, channel, mux, text.text());
        }
    }

    private void handshake(URI broker, Channel channel, AtomicReference<TunnelMux> mux, String text) {
        try {
            if (text.contains("\"tunnel-challenge\"")) {
                String nonce = TunnelHandshake.parseChallenge(text);
                // Signed for the broker dialed, so that broker cannot pass the proof on to another.
                channel.writeAndFlush(new TextWebSocketFrame(TunnelHandshake.hello(identity.relayId(), identity.keys().getPublic(),
                        identity.keys().getPrivate(), null, nonce, TunnelHandshake.brokerOrigin(broker))));
            } else {
                TunnelHandshake.Welcome welcome = TunnelHandshake.parseWelcome(text);
                WebSocketKeepAlive.install(channel, properties.linkKeepalive());
                mux.set(new TunnelMux(channel, welcome.window(), Integer.MAX_VALUE, stream -> connectLocal(channel, stream)));
                up.add(broker);
                log.info("Tunnel up through {}: this relay is {} at {}", broker.getHost(), welcome.name(), welcome.publicUrl());
            }
        } catch (IllegalArgumentException e) {
            log.warn("Tunnel to {} refused a frame: {}", broker, e.getMessage());
            channel.close();
        }
    }

    /** A stream the broker opened: a connection to this relay's own port, on the tunnel's event loop. */
    private ChannelEndpoint connectLocal(Channel tunnel, TunnelStream stream) {
        ChannelEndpoint endpoint = new ChannelEndpoint(stream);
        ReflectiveChannelFactory<? extends SocketChannel> sockets = new ReflectiveChannelFactory<>(tunnel.getClass().asSubclass(SocketChannel.class));
        ChannelFactory<SocketChannel> marked = () -> {
            SocketChannel socket = sockets.newChannel();
            socket.pipeline().addFirst(streams.marker());
            return socket;
        };
        endpoint.connect(new Bootstrap()
                .group(tunnel.eventLoop())
                // Marked as tunnelled from birth: the relay believes the broker's X-Forwarded-For on these only.
                .channelFactory(marked)
                .option(ChannelOption.TCP_NODELAY, true), local);
        return endpoint;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
