package run.ats.relay.directory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import run.ats.protocol.directory.RelayHeartbeat;
import run.ats.relay.RelayProperties;
import run.ats.relay.identity.RelayIdentity;
import run.ats.relay.session.RelaySockets;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every {@code heartbeat-interval}, tells the directory (signed with the relay key) that the relay
 * is up, for how long, how many clients it holds and how busy its process is. Counts only.
 */
@Component
final class Heartbeats {

    private static final Logger log = LoggerFactory.getLogger(Heartbeats.class);

    private final RelayProperties properties;
    private final RelayIdentity identity;
    private final RelaySockets sockets;
    private final WebClient.Builder web;
    private final Clock clock;
    private final long startedMs;
    private final AtomicBoolean unclaimedSaid = new AtomicBoolean();
    private Disposable beating;

    Heartbeats(RelayProperties properties, RelayIdentity identity, RelaySockets sockets, WebClient.Builder web, Clock clock) {
        this.properties = properties;
        this.identity = identity;
        this.sockets = sockets;
        this.web = web;
        this.clock = clock;
        this.startedMs = clock.millis();
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (properties.directoryUrl() == null) {
            return;
        }
        WebClient directory = web.baseUrl(properties.directoryUrl().toString()).build();
        beating = Flux.interval(Duration.ZERO, properties.heartbeatInterval())
                .onBackpressureDrop()
                .concatMap(tick -> send(directory))
                .subscribe();
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        if (beating != null) {
            beating.dispose();
        }
    }

    private Mono<Void> send(WebClient directory) {
        long now = clock.millis();
        RelayHeartbeat heartbeat = RelayHeartbeat.sign(identity.relayId(), now, (now - startedMs) / 1000,
                sockets.connections(), loadPercent(), identity.keys().getPrivate());
        return directory.post().uri("/v1/relays/{id}/heartbeats", identity.relayId())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(heartbeat.toJson())
                .retrieve()
                .toBodilessEntity()
                .timeout(properties.heartbeatInterval())
                .doOnSuccess(ok -> unclaimedSaid.set(false))
                .then()
                .onErrorResume(WebClientResponseException.NotFound.class, notRegistered -> {
                    if (unclaimedSaid.compareAndSet(false, true)) {
                        log.info("The directory does not know this relay yet: claim it (see the claim code above)");
                    }
                    return Mono.empty();
                })
                .onErrorResume(error -> {
                    log.debug("Heartbeat not delivered: {}", error.toString());
                    return Mono.empty();
                });
    }

    /** The process's CPU use, 0..100, as the JVM sees it; 0 where it cannot tell. */
    private static int loadPercent() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            double load = os.getProcessCpuLoad();
            return load < 0 ? 0 : (int) Math.round(Math.min(1, load) * 100);
        }
        return 0;
    }
}
