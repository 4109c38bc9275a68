package run.ats.protocol.wire;

import run.ats.protocol.crypto.Ed25519;
import run.ats.protocol.relay.RelayId;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Link frames both ways, strict like {@link WireCodec}; and what a link's signatures cover:
 * {@code "ats-link-v1\n" + nonce + "/" + challengerId + "/" + proverId}, so that a proof answers
 * one challenge, from one relay, to one relay.
 */
public final class LinkCodec {

    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{22,64}");

    private LinkCodec() {
    }

    public static LinkMessage decode(String text) throws BadFrame {
        JsonNode node;
        try {
            node = WireCodec.JSON.readTree(text);
        } catch (JacksonException e) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "not a JSON object: " + WireCodec.firstLine(e.getOriginalMessage()), null);
        }
        if (node == null || !node.isObject()) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "a frame is one JSON object", null);
        }
        String type = WireCodec.string(node, "type", null);
        return switch (type) {
            case "challenge" -> new LinkMessage.Challenge(relayId(node), nonce(node));
            case "link-hello" -> new LinkMessage.Hello(relayId(node), nonce(node), WireCodec.string(node, "signature", null));
            case "link-welcome" -> new LinkMessage.Welcome(relayId(node), WireCodec.string(node, "signature", null));
            case "directory-version" -> new LinkMessage.DirectoryVersion(longValue(node, "version"));
            case "join" -> new LinkMessage.Join(WireCodec.tag(node, null), WireCodec.cell(node, null));
            case "leave" -> new LinkMessage.Leave(WireCodec.tag(node, null), WireCodec.cell(node, null));
            case "event" -> {
                String id = WireCodec.eventId(node);
                yield new LinkMessage.Event(WireCodec.tag(node, id), WireCodec.cell(node, id), id, WireCodec.payload(node, id),
                        longValue(node, "expiresAt"));
            }
            default -> throw new BadFrame(ErrorCode.UNKNOWN_TYPE, "unknown type '" + WireCodec.clip(type) + "'", null);
        };
    }

    /** Link frames other than events (those are {@link WireCodec#encode} of a {@link ServerMessage.Event}). */
    public static byte[] encode(LinkMessage message) {
        ObjectNode node = WireCodec.JSON.createObjectNode();
        switch (message) {
            case LinkMessage.Challenge c -> node.put("type", "challenge").put("relayId", c.relayId()).put("nonce", c.nonce());
            case LinkMessage.Hello h -> node.put("type", "link-hello").put("relayId", h.relayId()).put("nonce", h.nonce())
                    .put("signature", h.signature());
            case LinkMessage.Welcome w -> node.put("type", "link-welcome").put("relayId", w.relayId()).put("signature", w.signature());
            case LinkMessage.DirectoryVersion v -> node.put("type", "directory-version").put("version", v.version());
            case LinkMessage.Join j -> node.put("type", "join").put("topic", j.topic()).put("cell", j.cell());
            case LinkMessage.Leave l -> node.put("type", "leave").put("topic", l.topic()).put("cell", l.cell());
            case LinkMessage.Event e -> {
                return WireCodec.encode(new ServerMessage.Event(e.topic(), e.cell(), e.id(), e.payload(), e.expiresAt()));
            }
        }
        return WireCodec.JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
    }

    /** What the prover signs to answer {@code challengerId}'s {@code nonce}. */
    public static byte[] proof(String nonce, String challengerId, String proverId) {
        return Ed25519.domainSeparated("ats-link-v1", (nonce + "/" + challengerId + "/" + proverId).getBytes(StandardCharsets.US_ASCII));
    }

    private static String relayId(JsonNode node) throws BadFrame {
        String id = WireCodec.string(node, "relayId", null);
        if (!RelayId.isValid(id)) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "relayId is not a relay id", null);
        }
        return id;
    }

    private static String nonce(JsonNode node) throws BadFrame {
        String nonce = WireCodec.string(node, "nonce", null);
        if (!NONCE.matcher(nonce).matches()) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "nonce must be 22-64 characters of [A-Za-z0-9_-]", null);
        }
        return nonce;
    }

    private static long longValue(JsonNode node, String field) throws BadFrame {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "'" + field + "' must be an integer", null);
        }
        return value.asLong();
    }
}
