package run.ats.tunnel;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two {@link TunnelMux}es over a real WebSocket on loopback, as between broker and relay,
 * without either service: bulk streams arrive intact both ways while small messages on another
 * stream stay quick, a stalled reader holds no more than its window, and bad frames or credit
 * abuse end what they should and nothing else.
 */
class TunnelMuxTest {

    private static final int WINDOW = 256 * 1024;
    private static final long BULK = 200L * 1024 * 1024;

    private EventLoopGroup group;
    private Channel server;
    /** What the relay's end does with each stream the broker's end opens. */
    private volatile Function<TunnelStream, Endpoint> relaySide;
    private final CompletableFuture<TunnelMux> relayMux = new CompletableFuture<>();
    private TunnelMux brokerMux;
    private volatile Channel brokerChannel;

    @BeforeEach
    void connect() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                                new WebSocketServerProtocolHandler("/t", null, false, 64 * 1024), new Frames(ch, relayMux,
                                        channel -> new TunnelMux(channel, WINDOW, 100, stream -> relaySide.apply(stream))));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        CompletableFuture<TunnelMux> broker = new CompletableFuture<>();
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
                                new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(
                                        URI.create("ws://127.0.0.1:" + port + "/t"), WebSocketVersion.V13, null, false,
                                        new DefaultHttpHeaders(), 64 * 1024)),
                                new Frames(ch, broker, channel -> {
                                    brokerChannel = channel;
                                    return new TunnelMux(channel, WINDOW, 100, null);
                                }));
                    }
                })
                .connect("127.0.0.1", port).sync();
        brokerMux = broker.get(10, TimeUnit.SECONDS);
        relayMux.get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws Exception {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void bulkBothWaysArrivesIntactWhileAnotherStreamStaysQuick() throws Exception {
        Sink relayReceived = new Sink();
        relaySide = stream -> {
            if (stream.id() != 1) {
                return new Echo(stream);
            }
            Source back = new Source(BULK, 2, relayReceived);
            relayMux.join().execute(() -> back.start(stream));
            return back;
        };
        Sink brokerReceived = new Sink();
        Source brokerBulk = new Source(BULK, 1, brokerReceived);
        TunnelStream bulk = brokerMux.open(brokerBulk);
        brokerMux.execute(() -> brokerBulk.start(bulk));

        // A small message on its own stream, echoed, 200 times while the bulk runs both ways.
        PingPong pings = new PingPong();
        pings.stream = brokerMux.open(pings);
        List<Long> rttMicros = new ArrayList<>();
        for (int i = 0; i < 200 && !(relayReceived.done.isDone() && brokerReceived.done.isDone()); i++) {
            rttMicros.add(pings.roundTripMicros());
            Thread.sleep(5);
        }
        assertThat(relayReceived.done.get(120, TimeUnit.SECONDS)).isEqualTo(Source.sha256(BULK, 1));
        assertThat(brokerReceived.done.get(120, TimeUnit.SECONDS)).isEqualTo(Source.sha256(BULK, 2));
        Collections.sort(rttMicros);
        assertThat(rttMicros).hasSizeGreaterThan(20);
        long p99 = rttMicros.get((int) Math.ceil(rttMicros.size() * 0.99) - 1);
        // Behind at most one window of the bulk stream, not behind the whole transfer.
        assertThat(p99).as("p99 round trip on the small stream, microseconds").isLessThan(250_000);
        System.out.printf("bulk 200 MiB each way intact; small-stream round trips during it: p50 %d us, p99 %d us (%d samples)%n",
                rttMicros.get(rttMicros.size() / 2), p99, rttMicros.size());
    }

    @Test
    void aStalledReaderHoldsNoMoreThanItsWindowAndStallsNothingElse() throws Exception {
        Stalled stalled = new Stalled();
        relaySide = stream -> stream.id() == 1 ? stalled : new Echo(stream);
        Sink unused = new Sink();
        Source flood = new Source(50L * 1024 * 1024, 3, unused);
        TunnelStream flooding = brokerMux.open(flood);
        brokerMux.execute(() -> flood.start(flooding));

        PingPong pings = new PingPong();
        pings.stream = brokerMux.open(pings);
        for (int i = 0; i < 20; i++) {
            assertThat(pings.roundTripMicros()).isLessThan(1_000_000);
        }
        Thread.sleep(300);
        assertThat(stalled.held.get()).as("bytes the stalled reader was handed").isLessThanOrEqualTo(WINDOW);
        assertThat(flood.sent.get()).as("bytes the source gave up before it was paused")
                .isLessThanOrEqualTo(WINDOW + Source.CHUNK);
        assertThat(flood.paused).isTrue();
    }

    @Test
    void dataBeyondTheCreditResetsThatStreamOnly() throws Exception {
        Stalled stalled = new Stalled();
        relaySide = stream -> stream.id() == 1 ? stalled : new Echo(stream);
        TunnelStream abusive = brokerMux.open(new Stalled());
        PingPong pings = new PingPong();
        pings.stream = brokerMux.open(pings);
        assertThat(pings.roundTripMicros()).isLessThan(1_000_000);
        // Write DATA frames behind the mux's back: more than the window, no credit asked.
        Channel tunnel = brokerChannel;
        for (int sent = 0; sent <= WINDOW; sent += TunnelFrame.MAX_DATA) {
            ByteBuf payload = Unpooled.wrappedBuffer(new byte[TunnelFrame.MAX_DATA]);
            tunnel.writeAndFlush(new BinaryWebSocketFrame(TunnelFrame.encode(tunnel.alloc(), TunnelFrame.Type.DATA, abusive.id(), payload)));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (relayMux.get().streams() == 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(relayMux.get().streams()).as("the abusive stream is gone, the other is not").isEqualTo(1);
        assertThat(pings.roundTripMicros()).isLessThan(1_000_000);
    }

    @Test
    void aMalformedFrameClosesTheTunnelAndEveryStream() throws Exception {
        relaySide = Echo::new;
        PingPong pings = new PingPong();
        pings.stream = brokerMux.open(pings);
        assertThat(pings.roundTripMicros()).isLessThan(1_000_000);
        Channel tunnel = brokerChannel;
        tunnel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {9, 0, 0, 0, 1})));
        assertThat(pings.reset.get(5, TimeUnit.SECONDS)).isEqualTo("the tunnel closed");
        assertThat(relayMux.get().streams()).isZero();
    }

    /** Makes the mux once the WebSocket handshake is done, and hands it every binary frame. */
    private static final class Frames extends ChannelInboundHandlerAdapter {
        private final Channel channel;
        private final CompletableFuture<TunnelMux> ready;
        private final Function<Channel, TunnelMux> make;
        private TunnelMux mux;

        Frames(Channel channel, CompletableFuture<TunnelMux> ready, Function<Channel, TunnelMux> make) {
            this.channel = channel;
            this.ready = ready;
            this.make = make;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete
                    || event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                mux = make.apply(channel);
                ready.complete(mux);
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof BinaryWebSocketFrame frame && mux != null) {
                    mux.onFrame(frame.content());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (mux != null) {
                mux.close();
            }
        }
    }

    /** Sends {@code total} deterministic bytes within the credit, and hashes what comes back into {@code sink}. */
    private static final class Source implements Endpoint {
        static final int CHUNK = 64 * 1024;
        private final long total;
        private final Sink sink;
        private final Random bytes;
        private TunnelStream stream;
        final AtomicLong sent = new AtomicLong();
        volatile boolean paused;

        /** Starts sending on {@link #start}, to be called on the tunnel's event loop. */
        Source(long total, long seed, Sink sink) {
            this.total = total;
            this.sink = sink;
            this.bytes = new Random(seed);
        }

        void start(TunnelStream opened) {
            this.stream = opened;
            sink.stream = opened;
            pump();
        }

        private void pump() {
            if (stream == null) {
                return;
            }
            while (!paused && sent.get() < total) {
                int size = (int) Math.min(CHUNK, total - sent.get());
                byte[] chunk = new byte[size];
                bytes.nextBytes(chunk);
                sent.addAndGet(size);
                stream.send(Unpooled.wrappedBuffer(chunk));
            }
            if (sent.get() >= total) {
                stream.finish();
            }
        }

        static byte[] sha256(long total, long seed) throws Exception {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            Random bytes = new Random(seed);
            for (long done = 0; done < total; ) {
                int size = (int) Math.min(CHUNK, total - done);
                byte[] chunk = new byte[size];
                bytes.nextBytes(chunk);
                digest.update(chunk);
                done += size;
            }
            return digest.digest();
        }

        @Override
        public void data(ByteBuf data, Runnable consumed) {
            sink.data(data, consumed);
        }

        @Override
        public void finished() {
            sink.finished();
        }

        @Override
        public void reset(String reason) {
            sink.reset(reason);
        }

        @Override
        public void pause() {
            paused = true;
        }

        @Override
        public void resume() {
            paused = false;
            pump();
        }
    }

    /** Hashes everything that arrives; completes with the hash at FIN. */
    private static final class Sink implements Endpoint {
        private final MessageDigest digest;
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        TunnelStream stream;

        Sink() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void data(ByteBuf data, Runnable consumed) {
            digest.update(data.nioBuffer());
            data.release();
            consumed.run();
        }

        @Override
        public void finished() {
            done.complete(digest.digest());
        }

        @Override
        public void reset(String reason) {
            done.completeExceptionally(new IllegalStateException(reason));
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }
    }

    /** Sends back what it gets. */
    private static final class Echo implements Endpoint {
        private final TunnelStream stream;

        Echo(TunnelStream stream) {
            this.stream = stream;
        }

        @Override
        public void data(ByteBuf data, Runnable consumed) {
            stream.send(data);
            consumed.run();
        }

        @Override
        public void finished() {
            stream.finish();
        }

        @Override
        public void reset(String reason) {
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }
    }

    /** Never writes anything out: holds what it is handed and returns no credit. */
    private static final class Stalled implements Endpoint {
        final AtomicLong held = new AtomicLong();
        private final List<ByteBuf> kept = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void data(ByteBuf data, Runnable consumed) {
            held.addAndGet(data.readableBytes());
            kept.add(data);
        }

        @Override
        public void finished() {
        }

        @Override
        public void reset(String reason) {
            kept.forEach(ReferenceCountUtil::release);
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }
    }

    /** Sends 32 bytes and waits for them to come back. */
    private static final class PingPong implements Endpoint {
        TunnelStream stream;
        private volatile CompletableFuture<Void> back = new CompletableFuture<>();
        final CompletableFuture<String> reset = new CompletableFuture<>();
        private int received;

        long roundTripMicros() throws Exception {
            back = new CompletableFuture<>();
            received = 0;
            long start = System.nanoTime();
            stream.send(Unpooled.wrappedBuffer(new byte[32]));
            back.get(10, TimeUnit.SECONDS);
            return (System.nanoTime() - start) / 1000;
        }

        @Override
        public void data(ByteBuf data, Runnable consumed) {
            received += data.readableBytes();
            data.release();
            consumed.run();
            if (received >= 32) {
                back.complete(null);
            }
        }

        @Override
        public void finished() {
        }

        @Override
        public void reset(String reason) {
            reset.complete(reason);
            back.completeExceptionally(new IllegalStateException(reason));
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }
    }
}
