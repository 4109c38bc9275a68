package run.ats.relay.testsupport;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import run.ats.protocol.token.RelayAccessTokens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Stands in for the main server at its one boundary with relays: an ES256 key published as a
 * JWKS, and relay-access tokens minted with the shared {@code protocol} contract.
 */
public final class TokenMint {

    private final ECKey key;
    private final SecureRandom random = new SecureRandom();

    public TokenMint(String kid) {
        try {
            this.key = new ECKeyGenerator(Curve.P_256).keyID(kid).algorithm(JWSAlgorithm.ES256).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String jwks() {
        return new JWKSet(key.toPublicJWK()).toString();
    }

    public Path writeJwks(Path dir) {
        try {
            Path file = dir.resolve("jwks.json");
            Files.writeString(file, jwks(), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String token() {
        return sign(RelayAccessTokens.claims("https://main.test", Instant.now(), Duration.ofMinutes(30), random));
    }

    public String expired() {
        return sign(RelayAccessTokens.claims("https://main.test", Instant.now().minus(Duration.ofHours(2)), Duration.ofMinutes(30), random));
    }

    public String wrongAudience() {
        JWTClaimsSet valid = RelayAccessTokens.claims("https://main.test", Instant.now(), Duration.ofMinutes(30), random);
        return sign(new JWTClaimsSet.Builder(valid).audience("ats-main").build());
    }

    public String sign(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The payload of a valid token under {@code alg: none}, no signature. */
    public String unsigned() {
        String payload = token().split("\\.")[1];
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"alg\":\"none\",\"kid\":\"" + key.getKeyID() + "\"}").getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".";
    }
}
