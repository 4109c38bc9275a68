package run.ats.protocol.topic;

import com.nimbusds.jose.util.JSONObjectUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ping sealing v2 vector (docs/protocol.md, "Ping payloads") checked with the JDK's own HKDF
 * (HMAC-SHA-256) and AES-GCM, independently of the enclave's WebCrypto code that seals pings
 * (web-pwa/test/ping.test.ts checks the same file). No Java service seals or opens pings: relays
 * carry them opaque. This keeps the vector honest if either side is changed alone.
 */
class PingSealingVectorTest {

    private static final Map<String, Object> VECTOR = vector();

    @Test
    void theVectorPayloadOpensUnderTheVectorKeyAndAad() throws Exception {
        byte[] key = hkdf(string("topic_secret_utf8"), string("cell"));
        assertThat(HexFormat.of().formatHex(key)).isEqualTo(string("key_hex"));
        String aad = "ats-ping-v2\n" + string("tag") + "\n" + string("cell") + "\n" + string("id") + "\n"
                + number("sealed_at_ms") + "\n" + number("ttl_seconds");
        assertThat(aad).isEqualTo(string("aad_utf8"));

        byte[] payload = Base64.getUrlDecoder().decode(string("payload_b64url"));
        ByteBuffer header = ByteBuffer.wrap(payload, 0, 13);
        assertThat(header.get()).as("format byte").isEqualTo((byte) 2);
        assertThat(header.getLong()).isEqualTo(number("sealed_at_ms"));
        assertThat(header.getInt()).isEqualTo(number("ttl_seconds"));
        assertThat(Arrays.copyOfRange(payload, 13, 25)).isEqualTo(HexFormat.of().parseHex(string("nonce_hex")));
        assertThat(new String(open(key, payload, aad), StandardCharsets.UTF_8)).isEqualTo(string("plaintext_utf8"));
    }

    @ParameterizedTest
    @CsvSource({
            "tEitVHIzQk6ySa64HU4pR4, dqcj, a-brand-new-event-id, 1795300000000, 300",
            "RX5W3rHz12AQYqG2nIPS3R, dqcj, e1b2c3d4e5f6a7b8, 1795300000000, 300",
            "tEitVHIzQk6ySa64HU4pR4, dqcm, e1b2c3d4e5f6a7b8, 1795300000000, 300",
            "tEitVHIzQk6ySa64HU4pR4, dqcj, e1b2c3d4e5f6a7b8, 1795300060000, 300",
            "tEitVHIzQk6ySa64HU4pR4, dqcj, e1b2c3d4e5f6a7b8, 1795300000000, 299",
    })
    void anyOtherLabelOrTimeFailsToOpen(String tag, String cell, String id, long sealedAt, int ttl) throws Exception {
        byte[] key = hkdf(string("topic_secret_utf8"), string("cell"));
        byte[] payload = Base64.getUrlDecoder().decode(string("payload_b64url"));
        String aad = "ats-ping-v2\n" + tag + "\n" + cell + "\n" + id + "\n" + sealedAt + "\n" + ttl;
        assertThatThrownBy(() -> open(key, payload, aad)).isInstanceOf(AEADBadTagException.class);
    }

    /** HKDF-SHA-256 (RFC 5869) for one 32-byte block: salt = the cell, info = "ats-ping-v2". */
    private static byte[] hkdf(String secret, String cell) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(cell.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] prk = mac.doFinal(secret.getBytes(StandardCharsets.UTF_8));
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        mac.update("ats-ping-v2".getBytes(StandardCharsets.UTF_8));
        return mac.doFinal(new byte[]{1});
    }

    private static byte[] open(byte[] key, byte[] payload, String aad) throws Exception {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, payload, 13, 12));
        cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
        return cipher.doFinal(payload, 25, payload.length - 25);
    }

    private static String string(String field) {
        return (String) VECTOR.get(field);
    }

    private static long number(String field) {
        return ((Number) VECTOR.get(field)).longValue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> vector() {
        try (InputStream in = PingSealingVectorTest.class.getResourceAsStream("/vectors/ats-contract.json")) {
            return (Map<String, Object>) JSONObjectUtils.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)).get("ping");
        } catch (Exception e) {
            throw new IllegalStateException("vectors/ats-contract.json", e);
        }
    }
}
