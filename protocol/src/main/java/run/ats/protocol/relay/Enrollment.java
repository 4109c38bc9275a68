package run.ats.protocol.relay;

import run.ats.protocol.crypto.Ed25519;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;

/**
 * A relay asking the main server for a claim code: its raw Ed25519 public key (base64url), the
 * URL it is reached at, and when it asked, signed with that key, so that nobody can enroll a
 * key they do not hold. The signature covers {@code "ats-enroll-v1\n"} and the canonical JSON
 * {@code {"publicKey","url","sentAt"}}; the wire form adds {@code signature}.
 */
public record Enrollment(String publicKey, String url, long sentAt, String signature) {

    private static final String DOMAIN = "ats-enroll-v1";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static Enrollment sign(PublicKey key, PrivateKey privateKey, String url, long sentAt) {
        String publicKey = Base64.getUrlEncoder().withoutPadding().encodeToString(Ed25519.raw(key));
        Enrollment unsigned = new Enrollment(publicKey, url, sentAt, "");
        byte[] signature = Ed25519.sign(privateKey, unsigned.signedBytes());
        return new Enrollment(publicKey, url, sentAt, Base64.getUrlEncoder().withoutPadding().encodeToString(signature));
    }

    /** The relay id of the key, if the key is a valid Ed25519 key that signed this; else an {@link IllegalArgumentException}. */
    public String verifiedRelayId() {
        byte[] raw;
        byte[] signatureBytes;
        try {
            raw = Base64.getUrlDecoder().decode(publicKey);
            signatureBytes = Base64.getUrlDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("publicKey and signature must be base64url");
        }
        PublicKey key = Ed25519.publicKey(raw);
        if (!Ed25519.verify(key, signedBytes(), signatureBytes)) {
            throw new IllegalArgumentException("the enrollment is not signed by its publicKey");
        }
        return RelayId.of(raw);
    }

    public String toJson() {
        return JSON.writeValueAsString(canonical().put("signature", signature));
    }

    public static Enrollment parse(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.isObject() || !node.path("publicKey").isString() || !node.path("url").isString()
                    || !node.path("sentAt").isIntegralNumber() || !node.path("signature").isString()) {
                throw new IllegalArgumentException("an enrollment is {publicKey, url, sentAt, signature}");
            }
            return new Enrollment(node.get("publicKey").asString(), node.get("url").asString(), node.get("sentAt").asLong(),
                    node.get("signature").asString());
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
    }

    private byte[] signedBytes() {
        return Ed25519.domainSeparated(DOMAIN, JSON.writeValueAsBytes(canonical()));
    }

    private ObjectNode canonical() {
        return JSON.createObjectNode().put("publicKey", publicKey).put("url", url).put("sentAt", sentAt);
    }
}
