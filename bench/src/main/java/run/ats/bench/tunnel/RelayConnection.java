package run.ats.bench.tunnel;

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
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * A client connection to a relay along some path: the TCP connection goes to {@code connectTo},
 * the WebSocket names {@code uri} (so its Host header can be a relay name while the socket goes
 * to loopback). Says hello, then publishes; {@link #onAck} hears every ack's arrival time.
 */
final class RelayConnection extends SimpleChannelInboundHandler<WebSocketFrame> {

    private final String token;
    private final CompletableFuture<RelayConnection> ready = new CompletableFuture<>();
    private volatile Channel channel;
    private volatile boolean handshaken;
    private volatile LongConsumer onAck = nanos -> { };

    private RelayConnection(String token) {
        this.token = token;
    }

    static CompletableFuture<RelayConnection> open(EventLoopGroup group, InetSocketAddress connectTo, URI uri, String token) {
        RelayConnection connection = new RelayConnection(token);
        var config = WebSocketClientProtocolConfig.newBuilder().webSocketUri(uri).version(WebSocketVersion.V13)
                .maxFramePayloadLength(1 << 20).handshakeTimeoutMillis(30_000).dropPongFrames(true).handleCloseFrames(false).build();
        new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                new WebSocketClientProtocolHandler(config), connection);
                    }
                })
                .connect(connectTo)
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        connection.ready.completeExceptionally(f.cause());
                    }
                });
        return connection.ready;
    }

    void onAck(LongConsumer listener) {
        this.onAck = listener;
    }

    void send(String frame) {
        channel.writeAndFlush(new TextWebSocketFrame(frame));
    }

    /** Sends a batch without a flush per frame. */
    void sendAll(java.util.List<String> frames) {
        channel.eventLoop().execute(() -> {
            for (String frame : frames) {
                channel.write(new TextWebSocketFrame(frame));
            }
            channel.flush();
        });
    }

    CompletableFuture<Void> close() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        channel.writeAndFlush(new CloseWebSocketFrame(1000, "bench")).addListener(f -> channel.close());
        channel.closeFuture().addListener(f -> closed.complete(null));
        return closed;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            handshaken = true;
            ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"hello\",\"token\":\"" + token + "\",\"protocol\":1}"));
        } else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            ready.completeExceptionally(new IllegalStateException("handshake timed out"));
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (!(frame instanceof TextWebSocketFrame text)) {
            if (frame instanceof CloseWebSocketFrame close && !ready.isDone()) {
                ready.completeExceptionally(new IllegalStateException("closed: " + close.statusCode() + " " + close.reasonText()));
            }
            return;
        }
        String body = text.text();
        if (body.startsWith("{\"type\":\"ack\"")) {
            onAck.accept(System.nanoTime());
        } else if (body.contains("\"type\":\"welcome\"")) {
            ready.complete(this);
        } else if (body.contains("\"type\":\"error\"")) {
            System.err.println("relay error: " + body);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ready.completeExceptionally(new IllegalStateException("closed before welcome"
                + (handshaken ? " (after the WebSocket handshake)" : " (before the WebSocket handshake completed)")));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ready.completeExceptionally(cause);
        ctx.close();
    }
}
