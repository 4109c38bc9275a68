package run.ats.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The streams of one tunnel, on one WebSocket channel. Each stream has its own credit window:
 * a sender never has more than {@code window} bytes unacknowledged on a stream, and a receiver
 * returns credit only once the bytes are written out on its side, so a stalled reader holds at
 * most one window in memory and never stalls the other streams. When the tunnel's own socket
 * backs up, every stream pauses its source until it drains.
 *
 * <p>All state lives on the tunnel channel's event loop; the public methods may be called from
 * any thread.
 */
public final class TunnelMux {

    private final Channel tunnel;
    private final int window;
    private final int maxStreams;
    private final Function<TunnelStream, Endpoint> acceptor;
    private final Map<Integer, TunnelStream> streams = new HashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param acceptor for the relay's end: the endpoint of a stream the broker opens; null for
     *                 the broker's end, which opens streams and refuses any the relay would open
     */
    public TunnelMux(Channel tunnel, int window, int maxStreams, Function<TunnelStream, Endpoint> acceptor) {
        if (window < TunnelFrame.MAX_DATA) {
            throw new IllegalArgumentException("the window must hold at least one data frame (" + TunnelFrame.MAX_DATA + " bytes)");
        }
        this.tunnel = tunnel;
        this.window = window;
        this.maxStreams = maxStreams;
        this.acceptor = acceptor;
        tunnel.pipeline().addFirst("ats-tunnel-writability", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                if (ctx.channel().isWritable()) {
                    for (TunnelStream stream : List.copyOf(streams.values())) {
                        stream.flush();
                    }
                }
                ctx.fireChannelWritabilityChanged();
            }
        });
    }

    /** Streams open now. */
    public int streams() {
        return open.get();
    }

    public boolean closed() {
        return closed || !tunnel.isActive();
    }

    /**
     * Opens a stream to the relay bound to {@code endpoint} (the broker's end); null when the
     * tunnel is closed or at its stream limit.
     */
    public TunnelStream open(Endpoint endpoint) {
        if (closed()) {
            return null;
        }
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            return null;
        }
        TunnelStream stream = new TunnelStream(this, nextId.getAndIncrement());
        stream.bind(endpoint);
        onLoop(() -> {
            if (closed) {
                stream.resetByPeer("the tunnel closed");
                return;
            }
            streams.put(stream.id(), stream);
            write(TunnelFrame.encode(tunnel.alloc(), TunnelFrame.Type.OPEN, stream.id(), null));
            flushTunnel();
        });
        return stream;
    }

    /**
     * One binary message from the peer. Must be called on the tunnel's event loop; does not release
     * {@code frame}. Ignored once the mux is closed: a frame read in the same batch as a bad one
     * must not open a stream nobody will close.
     */
    public void onFrame(ByteBuf frame) {
        if (closed) {
            return;
        }
        TunnelFrame decoded;
        try {
            decoded = TunnelFrame.decode(frame);
        } catch (IllegalArgumentException malformed) {
            fail("bad tunnel frame: " + malformed.getMessage());
            return;
        }
        TunnelStream stream = streams.get(decoded.streamId());
        switch (decoded.type()) {
            case OPEN -> {
                if (stream != null) {
                    // Both ends would disagree about which stream this is: end it both ways.
                    stream.brokenByPeer("refused: stream already open");
                    return;
                }
                if (acceptor == null || open.incrementAndGet() > maxStreams) {
                    if (acceptor != null) {
                        open.decrementAndGet();
                    }
                    write(TunnelFrame.reset(tunnel.alloc(), decoded.streamId(), "refused"));
                    flushTunnel();
                    return;
                }
                TunnelStream accepted = new TunnelStream(this, decoded.streamId());
                streams.put(accepted.id(), accepted);
                accepted.bind(acceptor.apply(accepted));
                accepted.flush(); // whatever the endpoint sent while it was being made
            }
            case DATA -> {
                if (stream != null) {
                    stream.onData(decoded.payload());
                }
            }
            case WINDOW -> {
                if (stream != null) {
                    stream.onWindow(decoded.payload().getInt(decoded.payload().readerIndex()));
                }
            }
            case FIN -> {
                if (stream != null) {
                    stream.onFin();
                }
            }
            case RESET -> {
                if (stream != null) {
                    stream.resetByPeer(decoded.payload().toString(StandardCharsets.UTF_8));
                }
            }
        }
    }

    /** Runs {@code task} on the tunnel's event loop, later (never inline), where endpoints' callbacks run too. */
    public void execute(Runnable task) {
        tunnel.eventLoop().execute(task);
    }

    /** The tunnel is gone: every stream ends. Safe to call more than once, from any thread. */
    public void close() {
        closed = true;
        onLoop(() -> {
            List<TunnelStream> all = new ArrayList<>(streams.values());
            streams.clear();
            for (TunnelStream stream : all) {
                stream.resetByPeer("the tunnel closed");
            }
        });
    }

    int window() {
        return window;
    }

    boolean writable() {
        return tunnel.isWritable();
    }

    void write(ByteBuf frame) {
        tunnel.write(new BinaryWebSocketFrame(frame));
    }

    /**
     * Frames written this turn leave together at its end; but once the tunnel's buffer is past its
     * high-water mark, at once, so the socket starts draining and the paused streams resume sooner.
     */
    void flushTunnel() {
        if (tunnel.isWritable()) {
            Flushes.soon(tunnel);
        } else {
            tunnel.flush();
        }
    }

    io.netty.buffer.ByteBufAllocator alloc() {
        return tunnel.alloc();
    }

    void onLoop(Runnable task) {
        if (tunnel.eventLoop().inEventLoop()) {
            task.run();
        } else {
            tunnel.eventLoop().execute(task);
        }
    }

    /** Called once per stream, when it is over both ways. */
    void ended(TunnelStream stream) {
        streams.remove(stream.id(), stream);
        open.decrementAndGet();
    }

    /** A peer that breaks the framing loses the tunnel (1002, protocol error). */
    private void fail(String reason) {
        // Streams end first, so nothing is still open here once the peer has seen the close.
        close();
        tunnel.writeAndFlush(new io.netty.handler.codec.http.websocketx.CloseWebSocketFrame(1002, reason))
                .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
    }
}
