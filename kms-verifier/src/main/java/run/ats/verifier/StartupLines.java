package run.ats.verifier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import run.ats.verifier.deploy.Verifications;
import run.ats.verifier.log.Checkpoints;
import run.ats.verifier.release.Releases;

/** Says where things listen and what the log trusts, once the port is known. */
@Component
final class StartupLines {

    private static final Logger log = LoggerFactory.getLogger(StartupLines.class);
    private final Checkpoints checkpoints;
    private final Releases releases;
    private final Verifications verifications;

    StartupLines(Checkpoints checkpoints, Releases releases, Verifications verifications) {
        this.checkpoints = checkpoints;
        this.releases = releases;
        this.verifications = verifications;
    }

    @EventListener
    void onServerStarted(ReactiveWebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() != null) {
            log.info("Health and metrics on the management port {}: /actuator/health, /actuator/prometheus (never route it publicly)",
                    event.getWebServer().getPort());
            return;
        }
        log.info("ATS KMS verifier listening on port {}: GET /v1/log/checkpoint, /v1/log/proof/*, /v1/releases, /v1/verify, "
                + "/v1/status; API description at /v3/api-docs", event.getWebServer().getPort());
        log.info("Log '{}' accepts statements signed by {} release key(s); verifies origins {}", checkpoints.origin(),
                releases.releaseKeyCount(), verifications.origins());
        checkpoints.verifierKey().subscribe(key -> log.info("Log verifier key (pin it): {}", key));
    }
}
