package run.ats.main.keys;

import com.nimbusds.jwt.JWTClaimsSet;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import run.ats.main.MainProperties;
import run.ats.main.secret.Secrets;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;

/**
 * Short-lived tokens with which the main server calls other ATS services (the directory today):
 * ES256 with the same signing keys, so the callee verifies them against the public JWKS.
 */
@Component
public final class ServiceTokens {

    /** The audience the directory accepts for relay registrations. */
    public static final String DIRECTORY = "ats-directory";
    private static final Duration LIFETIME = Duration.ofMinutes(1);

    private final SigningKeys keys;
    private final SecureRandom random;
    private final Clock clock;
    private final MainProperties properties;

    ServiceTokens(SigningKeys keys, SecureRandom random, Clock clock, MainProperties properties) {
        this.keys = keys;
        this.random = random;
        this.clock = clock;
        this.properties = properties;
    }

    public Mono<String> forAudience(String audience) {
        long now = clock.millis();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(properties.issuer())
                .subject("main-server")
                .audience(audience)
                .issueTime(new Date(now))
                .expirationTime(new Date(now + LIFETIME.toMillis()))
                .jwtID(Secrets.random(random, 16))
                .build();
        return keys.current().map(key -> key.sign(claims, random));
    }
}
