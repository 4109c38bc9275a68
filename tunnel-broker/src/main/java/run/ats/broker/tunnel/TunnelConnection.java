package run.ats.broker.tunnel;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import run.ats.broker.BrokerProperties;
import run.ats.broker.directory.DirectoryWatch;
import run.ats.protocol.directory.DirectoryEntry;
import run.ats.tunnel.TunnelHandshake;
import run.ats.tunnel.TunnelMux;
import run.ats.tunnel.WebSocketKeepAlive;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The broker's end of one tunnel, from the moment its WebSocket is open: challenge the relay,
 * check its proof (made for this broker: one of its own origins) and that the signed directory
 * lists it with a name, then carry its streams.
 * Refusals close with 1008 and the reason, and count in {@code ats_broker_handshake_failures_total}.
 */
public final class TunnelConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TunnelConnection.class);

    private final BrokerProperties properties;
    private final DirectoryWatch directory;
    private final Tunnels tunnels;
    private final Counter failures;
    private final String nonce;
    private final Function<Channel, Set<String>> origins;
    private Tunnels.Tunnel tunnel;
    private ScheduledFuture<?> helloTimeout;

    TunnelConnection(BrokerProperties properties, DirectoryWatch directory, Tunnels tunnels, Counter failures, SecureRandom random,
                     Function<Channel, Set<String>> origins) {
        this.properties = properties;
        this.directory = directory;
        this.tunnels = tunnels;
        this.failures = failures;
        this.nonce = TunnelHandshake.nonce(random);
        this.origins = origins;
    }

    /** Fired down the pipeline once the WebSocket handshake's answer is out. */
    public static final Object OPEN = new Object();

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event != OPEN) {
            super.userEventTriggered(ctx, event);
            return;
        }
        ctx.writeAndFlush(new TextWebSocketFrame(TunnelHandshake.challenge(nonce)));
        helloTimeout = ctx.executor().schedule(() -> refuse(ctx, "no tunnel-hello within " + properties.helloTimeout().toSeconds() + " s"),
                properties.helloTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            switch (msg) {
                case BinaryWebSocketFrame binary when tunnel != null -> tunnel.mux().onFrame(binary.content());
                case TextWebSocketFrame text when tunnel == null -> hello(ctx, text.text());
                case PingWebSocketFrame ping -> ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
                case PongWebSocketFrame pong -> {
                    // keep-alive answer: its arrival is all it says
                }
                case io.netty.handler.codec.http.HttpContent rest -> {
                    // the upgrade request's empty last content, decoded before the switch
                }
                case CloseWebSocketFrame close -> ctx.writeAndFlush(new CloseWebSocketFrame(1000, "bye")).addListener(ChannelFutureListener.CLOSE);
                default -> refuse(ctx, "unexpected frame");
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void hello(ChannelHandlerContext ctx, String text) {
        TunnelHandshake.Hello hello;
        try {
            hello = TunnelHandshake.parseHello(text);
        } catch (IllegalArgumentException e) {
            refuse(ctx, "bad tunnel-hello: " + e.getMessage());
            return;
        }
        Set<String> ours = origins.apply(ctx.channel());
        if (!ours.contains(hello.broker())) {
            // A proof for the broker the relay dialed, passed on to this one: the other broker is not to be trusted with it.
            refuse(ctx, "wrong broker: the proof is for " + printable(hello.broker()) + ", not this broker (ats.broker.tunnel-urls)");
            return;
        }
        if (!hello.provenFor(nonce, ours)) {
            refuse(ctx, "unauthorized: the key does not match the relay id, or the proof is wrong");
            return;
        }
        if (!directory.ready()) {
            refuse(ctx, "the broker has not read the directory yet; try again shortly");
            return;
        }
        Optional<DirectoryEntry> listed = directory.relay(hello.relayId());
        if (listed.isEmpty()) {
            refuse(ctx, "unclaimed: the directory does not list relay " + hello.relayId() + " (claim it first)");
            return;
        }
        DirectoryEntry entry = listed.get();
        if (!entry.publicKey().equals(hello.publicKey())) {
            refuse(ctx, "unauthorized: not the key the directory lists for this relay");
            return;
        }
        if (entry.name() == null) {
            refuse(ctx, "no public name: the relay was claimed without one");
            return;
        }
        if (hello.name() != null && !hello.name().equals(entry.name())) {
            refuse(ctx, "not your name: relay " + hello.relayId() + " holds " + entry.name());
            return;
        }
        helloTimeout.cancel(false);
        TunnelMux mux = new TunnelMux(ctx.channel(), (int) properties.window().toBytes(), properties.maxStreams(), null);
        tunnel = new Tunnels.Tunnel(hello.relayId(), entry.name(), ctx.channel(), mux);
        WebSocketKeepAlive.install(ctx.channel(), properties.keepalive());
        ctx.writeAndFlush(new TextWebSocketFrame(TunnelHandshake.welcome(entry.name(), properties.publicUrl(entry.name()), (int) properties.window().toBytes())));
        tunnels.put(tunnel);
        log.info("Tunnel up for {} (relay {})", entry.name(), hello.relayId());
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        failures.increment();
        log.info("Tunnel refused: {}", reason);
        ctx.writeAndFlush(new CloseWebSocketFrame(1008, closeReason(reason)))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** What a relay sent, fit for a log line and a close reason: printable ASCII, anything else as '?', 80 characters at most. */
    static String printable(String sent) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < sent.length() && out.length() < 80; i++) {
            char c = sent.charAt(i);
            out.append(c >= ' ' && c <= '~' ? c : '?');
        }
        return out.toString();
    }

    /**
     * {@code reason} cut to at most 120 UTF-8 bytes, at a character's edge: a close frame carries 125
     * bytes at most, and a reason quoting what a relay sent may hold characters of several bytes each.
     */
    static String closeReason(String reason) {
        StringBuilder cut = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < reason.length(); ) {
            int point = reason.codePointAt(i);
            int size = point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
            if (bytes + size > 120) {
                break;
            }
            cut.appendCodePoint(point);
            bytes += size;
            i += Character.charCount(point);
        }
        return cut.toString();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (helloTimeout != null) {
            helloTimeout.cancel(false);
        }
        if (tunnel != null) {
            tunnel.mux().close();
            tunnels.remove(tunnel);
            log.info("Tunnel down for {}", tunnel.name());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("Tunnel error: {}", cause.toString());
        ctx.close();
    }
}
