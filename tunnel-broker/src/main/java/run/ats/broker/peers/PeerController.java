package run.ats.broker.peers;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import run.ats.broker.front.PublicServer;
import run.ats.broker.tunnel.Tunnels;

/** Answers other replicas: does this one hold a relay's tunnel, and on which public port. */
@RestController
@Tag(name = "replicas", description = "Between broker replicas only (needs ats.broker.peers.token); keep the path off the public ingress")
final class PeerController {

    record Held(String relayId, int publicPort) {
    }

    private final PeerTunnels peers;
    private final Tunnels tunnels;
    private final PublicServer publicServer;

    PeerController(PeerTunnels peers, Tunnels tunnels, PublicServer publicServer) {
        this.peers = peers;
        this.tunnels = tunnels;
        this.publicServer = publicServer;
    }

    @Operation(summary = "Whether this replica holds the relay's tunnel, and its public port to hand connections to",
            responses = {@ApiResponse(responseCode = "200", description = "held here"),
                    @ApiResponse(responseCode = "404", description = "not held here, or no valid replica token (the two are not told apart)")})
    @GetMapping("/internal/v1/tunnels/{relayId}")
    ResponseEntity<Held> held(@PathVariable String relayId, @RequestHeader(name = "Authorization", required = false) String authorization) {
        String token = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
        if (!peers.isPeerToken(token)) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND).build();
        }
        return tunnels.of(relayId).isPresent()
                ? ResponseEntity.ok(new Held(relayId, publicServer.port()))
                : ResponseEntity.status(HttpStatus.NOT_FOUND).build();
    }
}
