package run.ats.directory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Says where things listen, once the port is known. */
@Component
final class StartupLines {

    private static final Logger log = LoggerFactory.getLogger(StartupLines.class);
    private final DirectoryProperties properties;

    StartupLines(DirectoryProperties properties) {
        this.properties = properties;
    }

    @EventListener
    void onServerStarted(ReactiveWebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() != null) {
            log.info("Health and metrics on the management port {}: /actuator/health, /actuator/prometheus (never route it publicly)",
                    event.getWebServer().getPort());
            return;
        }
        int port = event.getWebServer().getPort();
        log.info("ATS directory listening on port {}: GET /v1/directory, /v1/directory/key, /v1/trees/{tag}/{cell}/roots, "
                + "WebSocket /v1/directory/stream; API description at /v3/api-docs", port);
        log.info("Relay registrations are verified against {}/.well-known/jwks.json; operator endpoint {}",
                properties.mainUrl(), properties.operatorTokenHash() == null ? "off (no ats.directory.operator-token-hash)" : "on");
    }
}
