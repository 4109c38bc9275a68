package run.ats.testkit.push;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/** What the browser's KMS does for push, in test form: a P-256 key pair and VAPID JWTs signed with it. */
public final class VapidKeys {

    private final KeyPair pair;

    public VapidKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            pair = generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The uncompressed public point, base64url: the {@code k} of RFC 8292. */
    public String publicKey() {
        ECPublicKey key = (ECPublicKey) pair.getPublic();
        byte[] point = new byte[65];
        point[0] = 4;
        copy(key.getW().getAffineX(), point, 1);
        copy(key.getW().getAffineY(), point, 33);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(point);
    }

    /** A JWT over exactly this claims JSON. */
    public String jwt(String claimsJson) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString("{\"typ\":\"JWT\",\"alg\":\"ES256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
        try {
            Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
            signer.initSign(pair.getPrivate());
            signer.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64.encodeToString(signer.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JWT for {@code audience} valid for {@code seconds}. */
    public String jwt(String audience, long seconds) {
        return jwt("{\"aud\":\"" + audience + "\",\"exp\":" + (System.currentTimeMillis() / 1000 + seconds) + "}");
    }

    private static void copy(BigInteger value, byte[] into, int offset) {
        byte[] bytes = value.toByteArray();
        int length = Math.min(bytes.length, 32);
        System.arraycopy(bytes, bytes.length - length, into, offset + 32 - length, length);
    }
}
