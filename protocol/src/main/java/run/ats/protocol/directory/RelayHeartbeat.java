package run.ats.protocol.directory;

import run.ats.protocol.crypto.Ed25519;
import run.ats.protocol.relay.RelayId;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;

/**
 * What a relay tells the directory every few seconds, signed with its own key: that it is up
 * (answering), for how long, and how loaded it is. Carries no client data: counts only.
 *
 * <p>The signature covers {@code "ats-heartbeat-v1\n"} followed by the canonical JSON
 * {@code {"relayId","sentAt","uptimeSeconds","connections","loadPercent"}} in that order; the
 * wire form adds {@code signature} (base64url, no padding). {@code sentAt} (epoch ms) lets the
 * directory refuse stale and replayed heartbeats.
 */
public record RelayHeartbeat(String relayId, long sentAt, long uptimeSeconds, int connections, int loadPercent, String signature) {

    private static final String DOMAIN = "ats-heartbeat-v1";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public RelayHeartbeat {
        if (!RelayId.isValid(relayId)) {
            throw new IllegalArgumentException("relayId is not a relay id");
        }
        if (uptimeSeconds < 0 || connections < 0 || loadPercent < 0 || loadPercent > 100) {
            throw new IllegalArgumentException("uptimeSeconds and connections must not be negative, loadPercent is 0..100");
        }
    }

    public static RelayHeartbeat sign(String relayId, long sentAt, long uptimeSeconds, int connections, int loadPercent, PrivateKey relayKey) {
        RelayHeartbeat unsigned = new RelayHeartbeat(relayId, sentAt, uptimeSeconds, connections, loadPercent, "");
        byte[] signature = Ed25519.sign(relayKey, unsigned.signedBytes());
        return new RelayHeartbeat(relayId, sentAt, uptimeSeconds, connections, loadPercent,
                Base64.getUrlEncoder().withoutPadding().encodeToString(signature));
    }

    /** Whether the relay's registered key signed this heartbeat. */
    public boolean signedBy(PublicKey relayKey) {
        try {
            return Ed25519.verify(relayKey, signedBytes(), Base64.getUrlDecoder().decode(signature));
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }

    public String toJson() {
        return JSON.writeValueAsString(canonical().put("signature", signature));
    }

    public static RelayHeartbeat parse(String json) throws InvalidDirectoryException {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.isObject()) {
                throw new InvalidDirectoryException("a heartbeat is a JSON object");
            }
            for (String field : new String[] {"relayId", "signature"}) {
                if (node.get(field) == null || !node.get(field).isString()) {
                    throw new InvalidDirectoryException(field + " must be a string");
                }
            }
            for (String field : new String[] {"sentAt", "uptimeSeconds", "connections", "loadPercent"}) {
                if (node.get(field) == null || !node.get(field).isIntegralNumber()) {
                    throw new InvalidDirectoryException(field + " must be an integer");
                }
            }
            return new RelayHeartbeat(node.get("relayId").asString(), node.get("sentAt").asLong(), node.get("uptimeSeconds").asLong(),
                    node.get("connections").asInt(), node.get("loadPercent").asInt(), node.get("signature").asString());
        } catch (JacksonException e) {
            throw new InvalidDirectoryException("not JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidDirectoryException(e.getMessage());
        }
    }

    private byte[] signedBytes() {
        return Ed25519.domainSeparated(DOMAIN, JSON.writeValueAsBytes(canonical()));
    }

    private ObjectNode canonical() {
        return JSON.createObjectNode()
                .put("relayId", relayId)
                .put("sentAt", sentAt)
                .put("uptimeSeconds", uptimeSeconds)
                .put("connections", connections)
                .put("loadPercent", loadPercent);
    }
}
