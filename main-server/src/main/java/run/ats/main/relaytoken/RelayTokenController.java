package run.ats.main.relaytoken;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import run.ats.main.MainProperties;
import run.ats.main.keys.SigningKeys;
import run.ats.protocol.token.RelayAccessTokens;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;

/**
 * Relay-access tokens for signed-in people. Deliberately unlinkable: nothing in the token or in
 * a log line connects it to the account that asked for it.
 */
@RestController
final class RelayTokenController {

    private final SigningKeys keys;
    private final SecureRandom random;
    private final Clock clock;
    private final MainProperties properties;

    RelayTokenController(SigningKeys keys, SecureRandom random, Clock clock, MainProperties properties) {
        this.keys = keys;
        this.random = random;
        this.clock = clock;
        this.properties = properties;
    }

    /** {@code expiresAt} is epoch milliseconds, as everywhere in the relay protocol. */
    record RelayToken(String token, long expiresAt) {
    }

    @Operation(summary = "A relay-access token (aud=ats-relay, at most 1 h, no personal claims)",
            security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/v1/relay-tokens")
    Mono<RelayToken> issue() {
        Duration lifetime = properties.tokens().relayTtl().compareTo(RelayAccessTokens.MAX_LIFETIME) > 0
                ? RelayAccessTokens.MAX_LIFETIME : properties.tokens().relayTtl();
        var claims = RelayAccessTokens.claims(properties.issuer(), clock.instant(), lifetime, random);
        return keys.current().map(key -> new RelayToken(key.sign(claims, random), claims.getExpirationTime().getTime()));
    }
}
