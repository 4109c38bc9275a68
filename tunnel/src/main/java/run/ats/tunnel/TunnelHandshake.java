package run.ats.tunnel;

import run.ats.protocol.crypto.Ed25519;
import run.ats.protocol.relay.RelayId;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The tunnel's opening, in text frames before any binary one. The broker sends
 * {@code {"type":"tunnel-challenge","nonce":N}}; the relay answers {@code {"type":"tunnel-hello",
 * "relayId","publicKey","name","signature"}} where the signature is its key's over
 * {@code "ats-tunnel-v1\n" + N + "\n" + relayId}; the broker answers
 * {@code {"type":"tunnel-welcome","name","publicUrl","window"}} or closes with 1008 and the reason.
 * The nonce is fresh per connection, so a proof is good for one tunnel only.
 */
public final class TunnelHandshake {

    private static final String DOMAIN = "ats-tunnel-v1";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    /** What the relay says: who it is, the name it expects (may be null), and its proof. */
    public record Hello(String relayId, String publicKey, String name, String signature) {

        /** True if the key is the relay id's and it signed this nonce. */
        public boolean provenFor(String nonce) {
            try {
                byte[] raw = Base64.getUrlDecoder().decode(publicKey);
                if (!RelayId.of(raw).equals(relayId)) {
                    return false;
                }
                PublicKey key = Ed25519.publicKey(raw);
                return Ed25519.verify(key, signed(nonce, relayId), Base64.getUrlDecoder().decode(signature));
            } catch (RuntimeException malformed) {
                return false;
            }
        }
    }

    /** What the broker answers once it accepts the tunnel; {@code window} is every stream's window, both ways. */
    public record Welcome(String name, String publicUrl, int window) {
    }

    /** Bounds on the window a broker may announce. */
    public static final int MIN_WINDOW = TunnelFrame.MAX_DATA;
    public static final int MAX_WINDOW = 16 * 1024 * 1024;

    private TunnelHandshake() {
    }

    public static String nonce(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return B64.encodeToString(bytes);
    }

    public static String challenge(String nonce) {
        return JSON.createObjectNode().put("type", "tunnel-challenge").put("nonce", nonce).toString();
    }

    /** The nonce of a challenge frame. */
    public static String parseChallenge(String text) {
        JsonNode node = read(text, "tunnel-challenge");
        return field(node, "nonce");
    }

    public static String hello(String relayId, PublicKey publicKey, PrivateKey privateKey, String name, String nonce) {
        ObjectNode node = JSON.createObjectNode()
                .put("type", "tunnel-hello")
                .put("relayId", relayId)
                .put("publicKey", B64.encodeToString(Ed25519.raw(publicKey)))
                .put("signature", B64.encodeToString(Ed25519.sign(privateKey, signed(nonce, relayId))));
        if (name != null) {
            node.put("name", name);
        }
        return node.toString();
    }

    public static Hello parseHello(String text) {
        JsonNode node = read(text, "tunnel-hello");
        JsonNode name = node.get("name");
        return new Hello(field(node, "relayId"), field(node, "publicKey"), name == null || name.isNull() ? null : name.asString(),
                field(node, "signature"));
    }

    public static String welcome(String name, String publicUrl, int window) {
        return JSON.createObjectNode().put("type", "tunnel-welcome").put("name", name).put("publicUrl", publicUrl)
                .put("window", window).toString();
    }

    public static Welcome parseWelcome(String text) {
        JsonNode node = read(text, "tunnel-welcome");
        JsonNode window = node.get("window");
        if (window == null || !window.isInt() || window.asInt() < MIN_WINDOW || window.asInt() > MAX_WINDOW) {
            throw new IllegalArgumentException("window must be an integer from " + MIN_WINDOW + " to " + MAX_WINDOW);
        }
        return new Welcome(field(node, "name"), field(node, "publicUrl"), window.asInt());
    }

    private static byte[] signed(String nonce, String relayId) {
        return Ed25519.domainSeparated(DOMAIN, (nonce + "\n" + relayId).getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode read(String text, String type) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject() || !type.equals(node.path("type").asString(""))) {
            throw new IllegalArgumentException("expected a " + type + " frame");
        }
        return node;
    }

    private static String field(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || !value.isString() || value.asString().isEmpty() || value.asString().length() > 512) {
            throw new IllegalArgumentException(name + " must be a non-empty string");
        }
        return value.asString();
    }
}
