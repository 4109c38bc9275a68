package run.ats.protocol.token;

import com.nimbusds.jwt.JWTClaimsSet;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * The relay-access token contract (ATS-DESIGN section 2): what the main server puts in the JWT
 * that a PWA presents to any relay, and what a relay accepts. The token says "signed in
 * somewhere", nothing more: a fresh random {@code sub} per token, no email, no account id.
 */
public final class RelayAccessTokens {

    /** The {@code aud} every relay-access token carries and every relay requires. */
    public static final String AUDIENCE = "ats-relay";

    /** The longest lifetime a relay accepts, measured from {@code iat} to {@code exp}. */
    public static final Duration MAX_LIFETIME = Duration.ofHours(1);

    /** Tolerated clock difference between the main server and a relay. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(60);

    /** The only claims a relay-access token may carry; anything else could identify a person. */
    public static final Set<String> ALLOWED_CLAIMS = Set.of("iss", "aud", "sub", "iat", "exp", "jti");

    private RelayAccessTokens() {
    }

    /**
     * Claims for a new token. Requires {@code 0 < lifetime <= MAX_LIFETIME}.
     */
    public static JWTClaimsSet claims(String issuer, Instant now, Duration lifetime, SecureRandom random) {
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("relay token lifetime must be in (0, " + MAX_LIFETIME + "], was " + lifetime);
        }
        Instant issuedAt = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(AUDIENCE)
                .subject(randomId(random))
                .jwtID(randomId(random))
                .issueTime(Date.from(issuedAt))
                .expirationTime(Date.from(issuedAt.plus(lifetime)))
                .build();
    }

    /**
     * Checks the claims of a token whose signature is already verified.
     *
     * @throws InvalidRelayTokenException naming the first rule the claims break
     */
    public static void check(JWTClaimsSet claims, Instant now) throws InvalidRelayTokenException {
        List<String> audience = claims.getAudience();
        if (audience == null || !audience.contains(AUDIENCE)) {
            throw new InvalidRelayTokenException("wrong audience " + audience + ", expected " + AUDIENCE);
        }
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        if (exp == null || iat == null) {
            throw new InvalidRelayTokenException("exp and iat are required");
        }
        if (!now.isBefore(exp.toInstant().plus(CLOCK_SKEW))) {
            throw new InvalidRelayTokenException("expired at " + exp.toInstant());
        }
        if (iat.toInstant().isAfter(now.plus(CLOCK_SKEW))) {
            throw new InvalidRelayTokenException("issued in the future at " + iat.toInstant());
        }
        Duration lifetime = Duration.between(iat.toInstant(), exp.toInstant());
        if (lifetime.compareTo(MAX_LIFETIME) > 0) {
            throw new InvalidRelayTokenException("lifetime " + lifetime + " exceeds " + MAX_LIFETIME);
        }
        String sub = claims.getSubject();
        if (sub == null || sub.isEmpty()) {
            throw new InvalidRelayTokenException("sub is required");
        }
        for (String name : claims.getClaims().keySet()) {
            if (!ALLOWED_CLAIMS.contains(name)) {
                throw new InvalidRelayTokenException("claim '" + name + "' is not allowed in a relay token");
            }
        }
    }

    private static String randomId(SecureRandom random) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
