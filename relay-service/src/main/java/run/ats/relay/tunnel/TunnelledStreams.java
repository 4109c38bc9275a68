package run.ats.relay.tunnel;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.springframework.stereotype.Component;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which loopback connections to this relay came through a tunnel. Each stream the broker opens
 * becomes a socket from this process to its own port; the source address of every such socket
 * is recorded from the moment it connects (before any byte of the stream is written) until it
 * closes. The relay's server side looks the peer of a new connection up here: only these
 * connections carry the broker's {@code X-Forwarded-For}, and anyone else on this machine (or
 * any proxy in front of the relay) saying the same is not believed. A source address cannot be
 * borrowed: the kernel gives each live socket its own port.
 */
@Component
public final class TunnelledStreams {

    private final Set<SocketAddress> sources = ConcurrentHashMap.newKeySet();
    private final ChannelHandler marker = new Marker();

    /** True if the peer of a connection to this relay is one of its own tunnel streams. */
    public boolean cameThrough(InetSocketAddress peer) {
        return sources.contains(peer);
    }

    /** Put first in each tunnel stream socket's pipeline, so that its source is known before its bytes go. */
    ChannelHandler marker() {
        return marker;
    }

    @ChannelHandler.Sharable
    private final class Marker extends ChannelInboundHandlerAdapter {

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            sources.add(ctx.channel().localAddress());
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // The address read at connect time: the channel keeps it after closing.
            sources.remove(ctx.channel().localAddress());
            ctx.fireChannelInactive();
        }
    }
}
