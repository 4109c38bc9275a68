package run.ats.main;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Says where things listen, once the port is known. */
@Component
final class StartupLines {

    private static final Logger log = LoggerFactory.getLogger(StartupLines.class);
    private final MainProperties properties;

    StartupLines(MainProperties properties) {
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
        log.info("ATS main server listening on port {}; public URL {}", port, properties.issuer());
        log.info("Sign in at {}/ ; API description at {}/v3/api-docs", properties.issuer(), properties.issuer());
        if (properties.mail().localInbox()) {
            log.info("Sign-in mail is kept in the local inbox: {}/local/inbox", properties.issuer());
        }
    }
}
