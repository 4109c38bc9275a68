package run.ats.relay.push;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.Set;

/**
 * Checks a VAPID JWT (RFC 8292) before the relay keeps it: ES256 under the registration's key,
 * {@code aud} the push service's origin, {@code exp} in the future and at most 24 hours ahead, and
 * no claim but {@code aud}, {@code exp} and a contact {@code sub}: nothing that names a person.
 */
final class VapidJwt {

    static final long MAX_LIFETIME_SECONDS = 24 * 3600;
    private static final Set<String> CLAIMS = Set.of("aud", "exp", "sub");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private VapidJwt() {
    }

    /** The public key of an uncompressed P-256 point. */
    static PublicKey publicKey(byte[] point) {
        if (point.length != 65 || point[0] != 4) {
            throw new IllegalArgumentException("not an uncompressed P-256 point");
        }
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec("secp256r1"));
            ECParameterSpec curve = parameters.getParameterSpec(ECParameterSpec.class);
            ECPoint w = new ECPoint(new BigInteger(1, Arrays.copyOfRange(point, 1, 33)), new BigInteger(1, Arrays.copyOfRange(point, 33, 65)));
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, curve));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a point on P-256: " + e.getMessage());
        }
    }

    /** The JWT's {@code exp} (epoch seconds) when it passes every check; else why not. */
    static long check(String jwt, PublicKey key, String audience, long nowSeconds) {
        String[] parts = jwt.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a compact JWS");
        }
        JsonNode header = json(parts[0]);
        if (!"ES256".equals(header.path("alg").asString(null))) {
            throw new IllegalArgumentException("alg must be ES256");
        }
        try {
            Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
            verifier.initVerify(key);
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!verifier.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                throw new IllegalArgumentException("signature does not verify under vapidKey");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() == null ? "bad signature" : e.getMessage());
        }
        JsonNode claims = json(parts[1]);
        for (Iterator<String> names = claims.propertyNames().iterator(); names.hasNext(); ) {
            String name = names.next();
            if (!CLAIMS.contains(name)) {
                throw new IllegalArgumentException("claim '" + name + "' is not allowed (aud, exp and sub only)");
            }
        }
        if (!audience.equals(claims.path("aud").asString(null))) {
            throw new IllegalArgumentException("aud must be the push service's origin " + audience);
        }
        JsonNode exp = claims.get("exp");
        // canConvertToLong first: asLong() throws on a number past a long (a fuzzing finding).
        if (exp == null || !exp.isIntegralNumber() || !exp.canConvertToLong() || exp.asLong() <= nowSeconds || exp.asLong() > nowSeconds + MAX_LIFETIME_SECONDS) {
            throw new IllegalArgumentException("exp must be in the next 24 hours");
        }
        JsonNode sub = claims.get("sub");
        if (sub != null && !(sub.isString() && (sub.asString().startsWith("mailto:") || sub.asString().startsWith("https:")))) {
            throw new IllegalArgumentException("sub, if given, is a mailto: or https: contact");
        }
        return exp.asLong();
    }

    private static JsonNode json(String part) {
        try {
            JsonNode node = JSON.readTree(Base64.getUrlDecoder().decode(part));
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("a JWT part is not a JSON object");
            }
            return node;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("a JWT part is not base64url JSON");
        }
    }
}
