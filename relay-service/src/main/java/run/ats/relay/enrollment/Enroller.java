package run.ats.relay.enrollment;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import run.ats.protocol.relay.Enrollment;
import run.ats.relay.RelayProperties;
import run.ats.relay.identity.RelayIdentity;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * At start, asks the main server for a claim code (proving the relay's key) and prints it for
 * the operator on a line of its own: {@code claim code ABCD-EFGH-JKMN}. A claimed relay is told
 * so and prints nothing to do. Retries (1 s doubling to 1 min) while the main server is away.
 */
@Component
final class Enroller {

    private static final Logger log = LoggerFactory.getLogger(Enroller.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RelayProperties properties;
    private final RelayIdentity identity;
    private final WebClient main;
    private final Clock clock;

    Enroller(RelayProperties properties, RelayIdentity identity, WebClient.Builder web, Clock clock) {
        this.properties = properties;
        this.identity = identity;
        this.main = web.baseUrl(properties.mainUrl().toString()).build();
        this.clock = clock;
    }

    @EventListener(ApplicationReadyEvent.class)
    void enrollAtStart() {
        if (!properties.enroll()) {
            return;
        }
        Mono.defer(this::enroll)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofMinutes(1)))
                .subscribe(this::announce, error -> log.warn("Enrollment gave up: {}", error.toString()));
    }

    private Mono<JsonNode> enroll() {
        Enrollment enrollment = Enrollment.sign(identity.keys().getPublic(), identity.keys().getPrivate(),
                properties.publicUrl().toString(), clock.millis());
        return main.post().uri("/v1/relays/enrollments")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(enrollment.toJson())
                .retrieve()
                .bodyToMono(String.class)
                .timeout(Duration.ofSeconds(10))
                .map(JSON::readTree);
    }

    private void announce(JsonNode answer) {
        if (answer.path("claimed").asBoolean(false)) {
            log.info("Relay {} is claimed", identity.relayId());
            return;
        }
        log.info("Relay {} is not claimed yet. Sign in and claim it with this code (valid until {}):",
                identity.relayId(), Instant.ofEpochMilli(answer.path("expiresAt").asLong()));
        log.info("claim code {}", answer.path("claimCode").asString());
        log.info("or open {}", answer.path("claimUrl").asString());
    }
}
