package run.ats.relay.session;

import io.netty.channel.Channel;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.adapter.ReactorNettyWebSocketSession;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/** A Reactor Netty WebSocket session that also names its Netty channel, which the {@link Outbox} writes to. */
public final class ChannelWebSocketSession extends ReactorNettyWebSocketSession {

    private final Channel channel;

    ChannelWebSocketSession(WebsocketInbound inbound, WebsocketOutbound outbound, HandshakeInfo info,
                            NettyDataBufferFactory buffers, int maxFramePayloadLength, Channel channel) {
        super(inbound, outbound, info, buffers, maxFramePayloadLength);
        this.channel = channel;
    }

    public Channel channel() {
        return channel;
    }
}
