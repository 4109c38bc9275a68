package run.ats.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;

/**
 * A stream's far side as a plain socket: what the socket reads goes to the peer, what the peer
 * sends is written to the socket (held until the socket connects). The socket's reads pause
 * while the peer has no credit left. The socket must run on the tunnel's event loop, as every
 * callback here does.
 */
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
        stream.finish();
        over = true;
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        stream.reset("socket error");
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
        channel.writeAndFlush(data).addListener(written -> consumed.run());
    }

    @Override
    public void finished() {
        if (!active) {
            finishAfterWaiting = true;
        } else if (channel instanceof DuplexChannel duplex) {
            // Half-close, so that a response still on its way can come back.
            duplex.shutdownOutput();
        } else {
            channel.close();
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
