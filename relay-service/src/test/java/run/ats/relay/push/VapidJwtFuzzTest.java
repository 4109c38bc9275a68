package run.ats.relay.push;

import com.code_intelligence.jazzer.junit.FuzzTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a client hands the relay in {@code push.register}: VAPID JWTs and uncompressed P-256 points.
 * Checking ends in a result or an {@link IllegalArgumentException} (answered as {@code bad_request}),
 * never another exception; a JWT is accepted only when its header says ES256, its claims are
 * aud, exp and a contact sub, aud is the push service's origin and exp within 24 hours; a point is
 * accepted only when it is one (and encodes back to the same 65 bytes). The claims target signs what
 * the fuzzer writes (header bytes, a newline, claims bytes) with the test's key, so it reaches past
 * the signature. Seeds:
 * {@code VapidJwtFuzzTestInputs/}.
 */
class VapidJwtFuzzTest {

    private static final String AUDIENCE = "https://fcm.googleapis.com";
    /** A fixed "now" (epoch s): no clocks in a fuzz target. */
    private static final long NOW = 1_800_000_000L;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final KeyPair KEY = fixedKey();

    @FuzzTest(maxDuration = "20s")
    void anyJwt(byte[] input) {
        String jwt = new String(input, StandardCharsets.UTF_8);
        try {
            VapidJwt.check(jwt, KEY.getPublic(), AUDIENCE, NOW);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        throw new AssertionError("a JWT the fuzzer could not sign was accepted: " + jwt);
    }

    @FuzzTest(maxDuration = "20s")
    void signedHeaderAndClaims(byte[] input) throws Exception {
        // The header's bytes, a newline, the claims' bytes.
        int newline = indexOf(input, (byte) '\n');
        byte[] header = Arrays.copyOfRange(input, 0, newline < 0 ? input.length : newline);
        byte[] claims = newline < 0 ? new byte[0] : Arrays.copyOfRange(input, newline + 1, input.length);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(header) + "." + b64.encodeToString(claims);
        Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
        signer.initSign(KEY.getPrivate());
        signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        String jwt = signingInput + "." + b64.encodeToString(signer.sign());
        long exp;
        try {
            exp = VapidJwt.check(jwt, KEY.getPublic(), AUDIENCE, NOW);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        // Accepted: every rule held.
        assertThat(JSON.readTree(header).path("alg").asString(null)).isEqualTo("ES256");
        JsonNode parsed = JSON.readTree(claims);
        for (Iterator<String> names = parsed.propertyNames().iterator(); names.hasNext(); ) {
            assertThat(names.next()).isIn(Set.of("aud", "exp", "sub"));
        }
        assertThat(parsed.path("aud").asString(null)).isEqualTo(AUDIENCE);
        assertThat(parsed.get("exp").canConvertToLong()).as("exp fits a long (no wrap-around)").isTrue();
        assertThat(exp).isGreaterThan(NOW).isLessThanOrEqualTo(NOW + VapidJwt.MAX_LIFETIME_SECONDS);
        assertThat(parsed.path("exp").asLong()).isEqualTo(exp);
    }

    @FuzzTest(maxDuration = "20s")
    void points(byte[] input) {
        PublicKey key;
        try {
            key = VapidJwt.publicKey(input);
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertThat(Aes128Gcm.point((ECPublicKey) key)).isEqualTo(input);
    }

    private static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static KeyPair fixedKey() {
        try {
            SecureRandom seeded = SecureRandom.getInstance("SHA1PRNG");
            seeded.setSeed(18L);
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), seeded);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
