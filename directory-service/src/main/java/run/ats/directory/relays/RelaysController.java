package run.ats.directory.relays;

import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import run.ats.support.web.ApiProblem;
import run.ats.protocol.directory.DirectoryEntry;
import run.ats.protocol.directory.InvalidDirectoryException;
import run.ats.protocol.directory.RelayHeartbeat;
import run.ats.protocol.relay.RelayId;

/** Relays join (through the main server, which vouches for the claim) and report their health. */
@RestController
final class RelaysController {

    /**
     * What the main server registers: the relay's raw Ed25519 public key (base64url), where it is
     * reached, and its public name if it has one (served by the tunnel broker at {@code url}).
     */
    record Registration(@NotBlank String publicKey, @NotBlank String url, String name) {
    }

    record Registered(String relayId) {
    }

    private final RelayRegistry registry;

    RelaysController(RelayRegistry registry) {
        this.registry = registry;
    }

    @Operation(summary = "Register a claimed relay (service token from the main server)")
    @PostMapping("/v1/relays")
    Mono<ResponseEntity<Registered>> register(@Valid @RequestBody Registration registration) {
        DirectoryEntry relay;
        try {
            DirectoryEntry keyed = DirectoryEntry.of(run.ats.protocol.crypto.Ed25519.publicKey(
                    java.util.Base64.getUrlDecoder().decode(registration.publicKey())), registration.url(), 0);
            relay = new DirectoryEntry(keyed.relayId(), keyed.publicKey(), keyed.url(), 0, registration.name());
        } catch (IllegalArgumentException e) {
            return Mono.error(ApiProblem.badRequest("bad-relay", e.getMessage()));
        }
        return registry.register(relay)
                .onErrorMap(org.springframework.dao.DataIntegrityViolationException.class, taken -> ApiProblem.of(HttpStatus.CONFLICT,
                        "name-taken", "Name taken", "Another relay holds the name " + registration.name() + "."))
                .thenReturn(ResponseEntity.status(HttpStatus.CREATED).body(new Registered(relay.relayId())));
    }

    @Operation(summary = "A relay's signed heartbeat")
    @PostMapping("/v1/relays/{relayId}/heartbeats")
    Mono<ResponseEntity<Void>> heartbeat(@PathVariable String relayId, @RequestBody String body) {
        RelayHeartbeat heartbeat;
        try {
            heartbeat = RelayHeartbeat.parse(body);
        } catch (InvalidDirectoryException e) {
            return Mono.error(ApiProblem.badRequest("bad-heartbeat", e.getMessage()));
        }
        if (!RelayId.isValid(relayId) || !relayId.equals(heartbeat.relayId())) {
            return Mono.error(ApiProblem.badRequest("bad-heartbeat", "The heartbeat's relayId is not the one in the path."));
        }
        return registry.heartbeat(heartbeat).flatMap(outcome -> switch (outcome) {
            case ACCEPTED -> Mono.just(ResponseEntity.noContent().<Void>build());
            case UNKNOWN_RELAY -> Mono.error(ApiProblem.of(HttpStatus.NOT_FOUND, "unknown-relay", "Unknown relay",
                    "No relay " + relayId + " is registered; it must be claimed first."));
            case BAD_SIGNATURE -> Mono.error(ApiProblem.of(HttpStatus.UNAUTHORIZED, "bad-signature", "Bad signature",
                    "The heartbeat is not signed by the relay's registered key."));
            case STALE -> Mono.error(ApiProblem.badRequest("stale-heartbeat",
                    "sentAt is too far from the directory's clock; check the relay's clock."));
            case REPLAYED -> Mono.error(ApiProblem.of(HttpStatus.CONFLICT, "replayed-heartbeat", "Replayed heartbeat",
                    "A heartbeat at least as new was already received."));
        });
    }
}
