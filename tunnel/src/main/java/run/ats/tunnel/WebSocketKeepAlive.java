package run.ats.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Notices a WebSocket whose peer is gone without a FIN (power cut, frozen process, dropped NAT
 * state): each end sends a ping after {@code interval} without writing, so a live peer is never
 * silent for longer than that; after {@link #MISSED} silent intervals the socket is closed, and
 * whatever used it reacts as if the peer had closed it. Used by relay links and tunnels.
 */
public final class WebSocketKeepAlive extends ChannelInboundHandlerAdapter {

    public static final int MISSED = 3;

    private WebSocketKeepAlive() {
    }

    public static void install(Channel channel, Duration interval) {
        long millis = interval.toMillis();
        channel.pipeline().addFirst("ats-keepalive", new WebSocketKeepAlive());
        channel.pipeline().addFirst("ats-idle", new IdleStateHandler(millis * MISSED, millis, 0, TimeUnit.MILLISECONDS));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (!(event instanceof IdleStateEvent idle)) {
            super.userEventTriggered(ctx, event);
        } else if (idle.state() == IdleState.WRITER_IDLE) {
            // From the tail, so the WebSocket encoder frames it.
            ctx.channel().writeAndFlush(new PingWebSocketFrame());
        } else if (idle.state() == IdleState.READER_IDLE) {
            ctx.channel().close();
        }
    }
}
