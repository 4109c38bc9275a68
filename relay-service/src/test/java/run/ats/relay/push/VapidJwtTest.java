package run.ats.relay.push;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Regressions found by {@link VapidJwtFuzzTest}, each named for what it broke. */
class VapidJwtTest {

    /**
     * An {@code exp} past a long made Jackson's {@code asLong()} throw, which escaped the check
     * (not an IllegalArgumentException, so not a {@code bad_request}: the connection's input failed).
     */
    @Test
    void anExpBeyondALongIsRefusedNotThrown() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = generator.generateKeyPair();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString("{\"alg\":\"ES256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString("{\"aud\":\"https://fcm.googleapis.com\",\"exp\":18446744075509551716}".getBytes(StandardCharsets.UTF_8));
        Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
        signer.initSign(key.getPrivate());
        signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        String jwt = signingInput + "." + b64.encodeToString(signer.sign());

        assertThatThrownBy(() -> VapidJwt.check(jwt, key.getPublic(), "https://fcm.googleapis.com", 1_800_000_000L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exp");
    }
}
