package run.ats.bench;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import run.ats.protocol.token.RelayAccessTokens;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Relay-token verification rate on one core: what a relay does per {@code hello} (parse the JWT,
 * verify ES256, check the relay-token claims) against the direct path, one raw JDK ECDSA verify
 * of the same bytes. Usage: {@code TokenVerifyBench [seconds per phase, default 10]}.
 */
public final class TokenVerifyBench {

    public static void main(String[] args) throws Exception {
        Duration phase = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 10);
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("bench").generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("bench").type(JOSEObjectType.JWT).build(),
                RelayAccessTokens.claims("https://main.example", Instant.now(), Duration.ofHours(1), new SecureRandom()));
        jwt.sign(new ECDSASigner(key));
        String token = jwt.serialize();
        ECDSAVerifier verifier = new ECDSAVerifier(key.toECPublicKey());

        String[] parts = token.split("\\.");
        byte[] signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);

        Bench.Task full = () -> {
            SignedJWT parsed = SignedJWT.parse(token);
            if (!parsed.verify(verifier)) {
                throw new IllegalStateException("signature did not verify");
            }
            RelayAccessTokens.check(parsed.getJWTClaimsSet(), Instant.now());
        };
        Bench.Task direct = () -> {
            Signature jdk = Signature.getInstance("SHA256withECDSAinP1363Format");
            jdk.initVerify(key.toECPublicKey());
            jdk.update(signingInput);
            if (!jdk.verify(signature)) {
                throw new IllegalStateException("signature did not verify");
            }
        };

        // Warm up both, then measure each in turn on this one thread.
        Bench.rate(full, Duration.ofSeconds(3));
        Bench.rate(direct, Duration.ofSeconds(3));
        double fullRate = Bench.rate(full, phase);
        double directRate = Bench.rate(direct, phase);
        System.out.printf("relay-token verify (parse + ES256 + claims), 1 thread: %.0f /s%n", fullRate);
        System.out.printf("raw JDK ES256 verify of the same bytes, 1 thread:     %.0f /s%n", directRate);
        System.out.printf("ratio full/direct: %.2f%n", fullRate / directRate);
    }
}
