package run.ats.relay.session;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import reactor.netty.http.server.WebsocketServerSpec;
import run.ats.relay.RelayProperties;

import java.util.Map;

@Configuration(proxyBeanMethods = false)
class WebSocketConfig {

    @Bean
    HandlerMapping relayRoutes(RelaySockets sockets) {
        return new SimpleUrlHandlerMapping(Map.of("/v1/ws", sockets), -1);
    }

    /** Netty refuses frames over {@code ats.relay.max-frame} itself, closing with 1009. */
    @Bean
    WebSocketHandlerAdapter webSocketHandlerAdapter(RelayProperties properties) {
        var upgrade = new ReactorNettyRequestUpgradeStrategy(() -> WebsocketServerSpec.builder()
                .maxFramePayloadLength((int) properties.maxFrame().toBytes()));
        return new WebSocketHandlerAdapter(new HandshakeWebSocketService(upgrade));
    }
}
