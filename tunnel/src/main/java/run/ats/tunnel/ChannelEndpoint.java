package run.ats.tunnel;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;

/**
 * A stream's far side as a plain socket: what the socket reads goes to the peer, what the peer
 * sends is written to the socket (held until the socket connects). The socket's reads pause
 * while the peer has no credit left. The socket must run on the tunnel's event loop, as every
 * callback here does. Shared only in sequence: a connect tried again gets a new socket.
 */
@ChannelHandler.Sharable
public final class ChannelEndpoint extends ChannelInboundHandlerAdapter implements Endpoint {

    private record Waiting(ByteBuf data, Runnable consumed) {
    }

    private final TunnelStream stream;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private Channel channel;
    private boolean active;
    private boolean finishAfterWaiting;
    private boolean over;

    public ChannelEndpoint(TunnelStream stream) {
        this.stream = stream;
    }

    /** How often a socket that closed before it connected is tried again. */
    private static final int CONNECT_ATTEMPTS = 3;

    /**
     * Connects the socket, then passes bytes both ways. A fresh socket can close before its
     * connect starts (the event loop saw it hang up first: about once in a hundred under churn here),
     * so that case is tried again with a new socket; any other failure resets the stream.
     */
    public void connect(Bootstrap bootstrap, SocketAddress address) {
        connect(bootstrap.clone().handler(this), address, 1);
    }

    private void connect(Bootstrap bootstrap, SocketAddress address, int attempt) {
        bootstrap.connect(address).addListener((ChannelFutureListener) connected -> {
            if (connected.isSuccess() || over) {
                return;
            }
            if (attempt < CONNECT_ATTEMPTS && connected.cause() instanceof ClosedChannelException) {
                connect(bootstrap, address, attempt + 1);
            } else {
                over = true;
                releaseWaiting();
                stream.reset("the far side's port refused");
            }
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        active = true;
        for (Waiting next; (next = waiting.poll()) != null; ) {
            write(next.data(), next.consumed());
        }
        if (finishAfterWaiting) {
            finished();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            stream.send(bytes);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!active) {
            return; // never connected: connect() decides
        }
        stream.finish();
        over = true;
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (active) {
            stream.reset("socket error");
        }
        ctx.close();
    }

    @Override
    public void data(ByteBuf data, Runnable consumed) {
        if (over) {
            data.release();
            consumed.run();
        } else if (!active) {
            waiting.add(new Waiting(data, consumed));
        } else {
            write(data, consumed);
        }
    }

    private void write(ByteBuf data, Runnable consumed) {
        channel.write(data).addListener(written -> consumed.run());
        Flushes.soon(channel);
    }

    @Override
    public void finished() {
        if (!active) {
            finishAfterWaiting = true;
        } else if (channel instanceof DuplexChannel duplex) {
            // Half-close, so that a response still on its way can come back; after the bytes
            // written before it, which a shutdown would otherwise drop unsent.
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> duplex.shutdownOutput());
        } else {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void reset(String reason) {
        over = true;
        releaseWaiting();
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public void pause() {
        if (channel != null) {
            channel.config().setAutoRead(false);
        }
    }

    @Override
    public void resume() {
        if (channel != null) {
            channel.config().setAutoRead(true);
        }
    }

    private void releaseWaiting() {
        for (Waiting next; (next = waiting.poll()) != null; ) {
            next.data().release();
            next.consumed().run();
        }
    }
}
