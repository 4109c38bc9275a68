package run.ats.tunnel;

import run.ats.protocol.crypto.Ed25519;
import run.ats.protocol.relay.RelayId;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The tunnel's opening, in text frames before any binary one. The broker sends
 * {@code {"type":"tunnel-challenge","nonce":N}}; the relay answers {@code {"type":"tunnel-hello",
 * "relayId","publicKey","name","broker","signature"}} where {@code broker} is the {@link #brokerOrigin
 * origin} of the URL the relay dialed and the signature is its key's over
 * {@code "ats-tunnel-v2\n" + N + "\n" + relayId + "\n" + broker}; the broker answers
 * {@code {"type":"tunnel-welcome","name","publicUrl","window"}} or closes with 1008 and the reason.
 * The nonce is fresh per connection, so a proof is good for one tunnel only; the broker's origin
 * is in it, so a broker the relay dialed cannot pass the relay's proof on to another broker
 * (which refuses a proof that names any origin but its own).
 */
public final class TunnelHandshake {

    /** v2 added the broker's origin to what is signed; a v1 proof verifies under no v2 domain. */
    private static final String DOMAIN = "ats-tunnel-v2";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,128}");

    /** What the relay says: who it is, the name it expects (may be null), the broker it dialed, and its proof. */
    public record Hello(String relayId, String publicKey, String name, String broker, String signature) {

        /**
         * True if the hello names one of {@code brokerOrigins} (the origins of this broker, never
         * taken from the hello), the key is the relay id's, and it signed this nonce for that origin.
         */
        public boolean provenFor(String nonce, Set<String> brokerOrigins) {
            if (!brokerOrigins.contains(broker)) {
                return false;
            }
            try {
                byte[] raw = Base64.getUrlDecoder().decode(publicKey);
                if (!RelayId.of(raw).equals(relayId)) {
                    return false;
                }
                PublicKey key = Ed25519.publicKey(raw);
                return Ed25519.verify(key, signed(nonce, relayId, broker), Base64.getUrlDecoder().decode(signature));
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

    /**
     * The nonce of a challenge frame.
     *
     * @throws IllegalArgumentException for anything but a tunnel-challenge whose nonce is 16 to 128 base64url characters
     *                                  (so no nonce can carry the separators of what the relay signs)
     */
    public static String parseChallenge(String text) {
        JsonNode node = read(text, "tunnel-challenge");
        String nonce = field(node, "nonce");
        if (!NONCE.matcher(nonce).matches()) {
            throw new IllegalArgumentException("nonce must be 16 to 128 base64url characters");
        }
        return nonce;
    }

    /** The relay's answer to a challenge, for the broker at {@code brokerOrigin} (what {@link #brokerOrigin} made of the URL it dialed). */
    public static String hello(String relayId, PublicKey publicKey, PrivateKey privateKey, String name, String nonce, String brokerOrigin) {
        ObjectNode node = JSON.createObjectNode()
                .put("type", "tunnel-hello")
                .put("relayId", relayId)
                .put("publicKey", B64.encodeToString(Ed25519.raw(publicKey)))
                .put("broker", brokerOrigin)
                .put("signature", B64.encodeToString(Ed25519.sign(privateKey, signed(nonce, relayId, brokerOrigin))));
        if (name != null) {
            node.put("name", name);
        }
        return node.toString();
    }

    /**
     * @throws IllegalArgumentException for anything but a tunnel-hello whose fields are non-empty strings (the name may
     *                                  be absent or null; a v1 relay's hello names no broker)
     */
    public static Hello parseHello(String text) {
        JsonNode node = read(text, "tunnel-hello");
        if (node.get("broker") == null) {
            throw new IllegalArgumentException("no broker named (a relay older than handshake v2: update it)");
        }
        JsonNode name = node.get("name");
        return new Hello(field(node, "relayId"), field(node, "publicKey"), name == null || name.isNull() ? null : field(node, "name"),
                field(node, "broker"), field(node, "signature"));
    }

    /**
     * The broker's identity in a proof: the origin of the tunnel URL a relay dials,
     * {@code scheme://host:port} in lower case, the port always written and a final dot dropped,
     * so that every spelling of one address gives one origin. The path is left out: one origin
     * is one server. Replicas behind one public name share its origin; each issues its own nonces.
     *
     * @throws IllegalArgumentException for anything but an absolute {@code ws:} or {@code wss:} URL with a host
     */
    public static String brokerOrigin(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("a tunnel URL is ws: or wss:, not " + url);
        }
        if (url.getHost() == null || url.getHost().isEmpty() || url.getRawUserInfo() != null) {
            throw new IllegalArgumentException("a tunnel URL names a host (and no user): " + url);
        }
        String host = url.getHost().toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        int port = url.getPort() >= 0 ? url.getPort() : scheme.equals("wss") ? 443 : 80;
        return scheme + "://" + host + ":" + port;
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

    private static byte[] signed(String nonce, String relayId, String brokerOrigin) {
        return Ed25519.domainSeparated(DOMAIN, (nonce + "\n" + relayId + "\n" + brokerOrigin).getBytes(StandardCharsets.UTF_8));
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
