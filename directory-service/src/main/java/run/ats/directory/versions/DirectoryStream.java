package run.ats.directory.versions;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;

import java.util.Map;

/**
 * {@code /v1/directory/stream}: a WebSocket that sends the newest signed version as a text
 * frame, then each newer one. Read-only: what the client sends is ignored.
 */
@Configuration(proxyBeanMethods = false)
class DirectoryStream {

    @Bean
    HandlerMapping directoryStreamRoute(Versions versions) {
        WebSocketHandler handler = session -> session.send(versions.stream()
                        .map(signed -> session.textMessage(signed.toJson())))
                .and(session.receive().then());
        return new SimpleUrlHandlerMapping(Map.of("/v1/directory/stream", handler), -1);
    }
}
