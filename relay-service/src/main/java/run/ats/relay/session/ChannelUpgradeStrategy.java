package run.ats.relay.session;

import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.server.RequestUpgradeStrategy;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Reactor Netty's WebSocket upgrade, as Spring's own strategy does it, except that the session
 * handed to the handler is a {@link ChannelWebSocketSession}: the relay writes its outbound
 * frames straight to the channel, a batch per event-loop turn with one flush, instead of one
 * reactive send per frame.
 */
final class ChannelUpgradeStrategy implements RequestUpgradeStrategy {

    private final WebsocketServerSpec spec;

    ChannelUpgradeStrategy(WebsocketServerSpec spec) {
        this.spec = spec;
    }

    @Override
    public Mono<Void> upgrade(ServerWebExchange exchange, WebSocketHandler handler, @Nullable String subProtocol,
                              java.util.function.Supplier<HandshakeInfo> handshakeInfo) {
        ServerHttpResponse response = exchange.getResponse();
        HttpServerResponse nettyResponse = ServerHttpResponseDecorator.getNativeResponse(response);
        HandshakeInfo info = handshakeInfo.get();
        NettyDataBufferFactory buffers = (NettyDataBufferFactory) response.bufferFactory();
        // setComplete() runs WebFlux's pre-commit actions before the upgrade, as Spring's strategy does.
        return response.setComplete().then(Mono.defer(() -> nettyResponse.sendWebsocket((in, out) -> {
            AtomicReference<Channel> channel = new AtomicReference<>();
            in.withConnection(connection -> channel.set(connection.channel()));
            return handler.handle(new ChannelWebSocketSession(in, out, info, buffers, spec.maxFramePayloadLength(), channel.get()));
        }, spec)));
    }
}
