package run.ats.relay;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import run.ats.relay.identity.RelayIdentity;

/** Says where the relay listens and who it is, once the port is known. */
@Component
final class StartupLines {

    private static final Logger log = LoggerFactory.getLogger(StartupLines.class);
    private final RelayProperties properties;
    private final RelayIdentity identity;

    StartupLines(RelayProperties properties, RelayIdentity identity) {
        this.properties = properties;
        this.identity = identity;
    }

    @EventListener
    void onServerStarted(ReactiveWebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() != null) {
            log.info("Health and metrics on the management port {}: /actuator/health, /actuator/prometheus (never route it publicly)",
                    event.getWebServer().getPort());
            return;
        }
        log.info("ATS relay {} listening on port {}: clients connect to ws://<host>:{}/v1/ws (public URL {})",
                identity.relayId(), event.getWebServer().getPort(), event.getWebServer().getPort(), properties.publicUrl());
        log.info("Relay tokens verified against {}/.well-known/jwks.json", properties.mainUrl());
    }
}
