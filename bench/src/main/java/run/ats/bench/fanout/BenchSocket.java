package run.ats.bench.fanout;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One benchmark WebSocket connection: opens, sends its wire's opening frames, completes
 * {@link #ready()} once the server confirms, then reports every message to the {@link Tally}.
 * Sends a keep-alive every 20 s so that idle timeouts (ATS 90 s, MQTT 1.5 x 60 s) never fire.
 */
final class BenchSocket extends SimpleChannelInboundHandler<WebSocketFrame> implements Wire.Inbound {

    private static final long KEEP_ALIVE_SECONDS = 20;

    private final Wire wire;
    private final String topic;
    private final Wire.Reader reader;
    private final Tally tally;
    private final CompletableFuture<BenchSocket> ready = new CompletableFuture<>();
    private volatile Channel channel;
    private volatile boolean closing;

    private BenchSocket(Wire wire, String topic, Tally tally) {
        this.wire = wire;
        this.topic = topic;
        this.reader = wire.reader(topic);
        this.tally = tally;
    }

    /** Connects to {@code uri}; a subscriber to {@code topic}, or a publisher when it is null. */
    static CompletableFuture<BenchSocket> open(EventLoopGroup loop, URI uri, Wire wire, String topic, Tally tally) {
        BenchSocket socket = new BenchSocket(wire, topic, tally);
        var config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .subprotocol(wire.subprotocol())
                .version(WebSocketVersion.V13)
                .maxFramePayloadLength(64 << 20)
                .handshakeTimeoutMillis(30_000)
                .dropPongFrames(true)
                .handleCloseFrames(false)
                .build();
        new Bootstrap().group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                new WebSocketClientProtocolHandler(config), new WebSocketFrameAggregator(64 << 20), socket);
                    }
                })
                .connect(uri.getHost(), uri.getPort())
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        socket.ready.completeExceptionally(f.cause());
                    }
                });
        return socket.ready;
    }

    Channel channel() {
        return channel;
    }

    Wire wire() {
        return wire;
    }

    /** Closes with a close frame; answers when the socket is gone. */
    CompletableFuture<Void> close() {
        closing = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        channel.writeAndFlush(new CloseWebSocketFrame(1000, "bench done"));
        channel.closeFuture().addListener(f -> done.complete(null));
        channel.eventLoop().schedule(() -> channel.close(), 2, TimeUnit.SECONDS);
        return done;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            for (WebSocketFrame frame : wire.opening(topic)) {
                ctx.write(frame);
            }
            ctx.flush();
            ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(wire.keepAlive()),
                    KEEP_ALIVE_SECONDS, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
        } else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            ready.completeExceptionally(new IllegalStateException("WebSocket handshake timed out"));
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof CloseWebSocketFrame close) {
            if (!closing) {
                tally.problem("closed by the server: " + close.statusCode() + " " + close.reasonText());
            }
            ctx.close();
            return;
        }
        reader.read(frame.content(), this);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!ready.isDone()) {
            ready.completeExceptionally(new IllegalStateException("closed before it was ready"));
        } else if (!closing) {
            tally.unexpectedClose();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        tally.problem(cause.toString());
        ctx.close();
    }

    @Override
    public void ready() {
        ready.complete(this);
    }

    @Override
    public void message(Stamp stamp) {
        tally.record(stamp, System.nanoTime());
    }

    @Override
    public void reply(WebSocketFrame frame) {
        channel.writeAndFlush(frame);
    }

    @Override
    public void problem(String text) {
        tally.problem(text);
    }
}
