package run.ats.relay.session;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import reactor.netty.http.server.WebsocketServerSpec;
import run.ats.relay.RelayProperties;

import java.util.Map;

@Configuration(proxyBeanMethods = false)
class WebSocketConfig {

    @Bean
    HandlerMapping relayRoutes(RelaySockets sockets, run.ats.relay.link.LinkSockets links) {
        return new SimpleUrlHandlerMapping(Map.of("/v1/ws", sockets, "/v1/link", links), -1);
    }

    /**
     * Netty's own cap is four times {@code ats.relay.max-frame} (beyond it, 1002); the relay
     * checks the real limit itself so that it can close with 1009 and say why. Pings are handed
     * to the relay (which answers them) rather than answered by Netty, so that they count toward
     * the flood limit like any frame.
     */
    @Bean
    WebSocketHandlerAdapter webSocketHandlerAdapter(RelayProperties properties) {
        var spec = WebsocketServerSpec.builder()
                .maxFramePayloadLength((int) properties.maxFrame().toBytes() * 4)
                .handlePing(true)
                .build();
        return new WebSocketHandlerAdapter(new HandshakeWebSocketService(new ChannelUpgradeStrategy(spec)));
    }
}
