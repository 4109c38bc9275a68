package run.ats.relay.push;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 8291 Appendix A, byte for byte (vectors/webpush-rfc8291.json). */
class Aes128GcmTest {

    private static final Base64.Decoder B64 = Base64.getUrlDecoder();

    @Test
    void theRfcExampleEncryptsToItsPublishedBody() throws Exception {
        JsonNode vector;
        try (var in = getClass().getResourceAsStream("/vectors/webpush-rfc8291.json")) {
            vector = JsonMapper.builder().build().readTree(in);
        }
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec curve = parameters.getParameterSpec(ECParameterSpec.class);
        var asPrivate = KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(
                new BigInteger(1, B64.decode(vector.get("as_private").asString())), curve));
        var asPublic = VapidJwt.publicKey(B64.decode(vector.get("as_public").asString()));
        byte[] body = Aes128Gcm.encrypt(vector.get("plaintext").asString().getBytes(StandardCharsets.UTF_8),
                B64.decode(vector.get("ua_public").asString()), B64.decode(vector.get("auth_secret").asString()),
                new KeyPair(asPublic, asPrivate), B64.decode(vector.get("salt").asString()));
        assertThat(Base64.getUrlEncoder().withoutPadding().encodeToString(body)).isEqualTo(vector.get("body").asString());
    }
}
