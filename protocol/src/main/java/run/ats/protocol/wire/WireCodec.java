package run.ats.protocol.wire;

import run.ats.protocol.topic.TopicTag;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * JSON text frames of protocol v1, both ways. Decoding rejects rather than guesses: a field of
 * the wrong type, a bad tag, cell or id, or a payload over {@link #MAX_PAYLOAD_BYTES} is a
 * {@link BadFrame} naming the field. Unknown fields are ignored (newer clients may send more).
 */
public final class WireCodec {

    public static final int PROTOCOL = 1;
    /** Largest payload, decoded. */
    public static final int MAX_PAYLOAD_BYTES = 4096;

    private static final Pattern CELL = Pattern.compile("[0-9bcdefghjkmnpqrstuvwxyz]{4}");
    private static final Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9_-]{16,64}");
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");

    static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(8)
                            .maxStringLength(64 * 1024)
                            .build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private WireCodec() {
    }

    public static ClientMessage decode(String text) throws BadFrame {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "not a JSON object: " + firstLine(e.getOriginalMessage()), null);
        }
        if (node == null || !node.isObject()) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "a frame is one JSON object", null);
        }
        String type = string(node, "type", null);
        return switch (type) {
            case "hello" -> new ClientMessage.Hello(string(node, "token", null), integer(node, "protocol", null));
            case "subscribe" -> new ClientMessage.Subscribe(tag(node, null), cell(node, null));
            case "unsubscribe" -> new ClientMessage.Unsubscribe(tag(node, null), cell(node, null));
            case "publish" -> publish(node);
            case "heartbeat" -> new ClientMessage.Heartbeat();
            case "push.register" -> pushRegister(node);
            case "push.unregister" -> new ClientMessage.PushUnregister(endpoint(node));
            default -> throw new BadFrame(ErrorCode.UNKNOWN_TYPE, "unknown type '" + clip(type) + "'", null);
        };
    }

    /** The frame as UTF-8 bytes: encode an event once, send the same bytes to every subscriber. */
    public static byte[] encode(ServerMessage message) {
        ObjectNode node = JSON.createObjectNode();
        switch (message) {
            case ServerMessage.Welcome w -> {
                node.put("type", "welcome").put("relayId", w.relayId()).put("protocol", w.protocol());
                node.putArray("features").addAll(w.features().stream().map(node::textNode).toList());
                ObjectNode limits = node.putObject("limits");
                w.limits().forEach(limits::put);
            }
            case ServerMessage.Subscribed s -> node.put("type", "subscribed").put("topic", s.topic()).put("cell", s.cell());
            case ServerMessage.Unsubscribed u -> node.put("type", "unsubscribed").put("topic", u.topic()).put("cell", u.cell());
            case ServerMessage.Ack a -> node.put("type", "ack").put("id", a.id());
            case ServerMessage.Heartbeat h -> node.put("type", "heartbeat");
            case ServerMessage.Event e -> node.put("type", "event").put("topic", e.topic()).put("cell", e.cell())
                    .put("id", e.id()).put("payload", e.payload()).put("expiresAt", e.expiresAt());
            case ServerMessage.PushRegistered r -> node.put("type", "push.registered").put("channels", r.channels()).put("expiresAt", r.expiresAt());
            case ServerMessage.PushUnregistered u -> node.put("type", "push.unregistered");
            case ServerMessage.Error e -> {
                node.put("type", "error").put("code", e.code().wire()).put("message", e.message());
                if (e.id() != null) {
                    node.put("id", e.id());
                }
            }
        }
        return JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
    }

    private static ClientMessage.Publish publish(JsonNode node) throws BadFrame {
        String id = eventId(node);
        String topic = tag(node, id);
        String cell = cell(node, id);
        long ttl = integer(node, "ttl", id);
        if (ttl < 1) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "ttl must be at least 1 second, was " + ttl, id);
        }
        return new ClientMessage.Publish(topic, cell, id, ttl, payload(node, id));
    }

    /** At most this many JWTs and channels in one registration. */
    public static final int MAX_PUSH_JWTS = 8;
    public static final int MAX_PUSH_CHANNELS = 64;
    private static final Pattern JWT = Pattern.compile("[A-Za-z0-9_-]{10,1024}\\.[A-Za-z0-9_-]{10,1024}\\.[A-Za-z0-9_-]{40,200}");

    private static ClientMessage.PushRegister pushRegister(JsonNode node) throws BadFrame {
        String endpoint = endpoint(node);
        String key = string(node, "vapidKey", null);
        byte[] point;
        try {
            point = BASE64URL.matcher(key).matches() ? Base64.getUrlDecoder().decode(key) : new byte[0];
        } catch (IllegalArgumentException e) {
            point = new byte[0];
        }
        if (point.length != 65 || point[0] != 4) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "vapidKey must be an uncompressed P-256 point (65 bytes), base64url", null);
        }
        JsonNode jwts = node.get("jwts");
        if (jwts == null || !jwts.isArray() || jwts.isEmpty() || jwts.size() > MAX_PUSH_JWTS) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "jwts must be an array of 1 to " + MAX_PUSH_JWTS + " VAPID JWTs", null);
        }
        java.util.List<String> tokens = new java.util.ArrayList<>();
        for (JsonNode jwt : jwts) {
            if (!jwt.isString() || !JWT.matcher(jwt.asString()).matches()) {
                throw new BadFrame(ErrorCode.BAD_REQUEST, "each of jwts must be a compact JWS", null);
            }
            tokens.add(jwt.asString());
        }
        JsonNode channels = node.get("channels");
        if (channels == null || !channels.isArray() || channels.isEmpty() || channels.size() > MAX_PUSH_CHANNELS) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "channels must be an array of 1 to " + MAX_PUSH_CHANNELS + " {topic, cell}", null);
        }
        java.util.List<ClientMessage.Channel> wanted = new java.util.ArrayList<>();
        for (JsonNode channel : channels) {
            if (!channel.isObject()) {
                throw new BadFrame(ErrorCode.BAD_REQUEST, "each of channels must be {topic, cell}", null);
            }
            wanted.add(new ClientMessage.Channel(tag(channel, null), cell(channel, null)));
        }
        ClientMessage.PushKeys keys = null;
        JsonNode given = node.get("keys");
        if (given != null && !given.isNull()) {
            if (!given.isObject() || bytes(given, "p256dh").length != 65 || bytes(given, "p256dh")[0] != 4 || bytes(given, "auth").length != 16) {
                throw new BadFrame(ErrorCode.BAD_REQUEST, "keys must be {p256dh: a P-256 point, auth: 16 bytes}, base64url", null);
            }
            keys = new ClientMessage.PushKeys(given.get("p256dh").asString(), given.get("auth").asString());
        }
        return new ClientMessage.PushRegister(endpoint, key, java.util.List.copyOf(tokens), java.util.List.copyOf(wanted), keys);
    }

    /** A base64url string field's bytes; empty when it is missing or not base64url. */
    private static byte[] bytes(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isString() || !BASE64URL.matcher(value.asString()).matches()) {
            return new byte[0];
        }
        try {
            return Base64.getUrlDecoder().decode(value.asString());
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    /** A push subscription endpoint: an absolute http(s) URL with a host, at most 2048 characters. */
    static String endpoint(JsonNode node) throws BadFrame {
        String endpoint = string(node, "endpoint", null);
        java.net.URI uri;
        try {
            uri = endpoint.length() <= 2048 ? new java.net.URI(endpoint) : null;
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null
                || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "endpoint must be an absolute https URL of at most 2048 characters", null);
        }
        return endpoint;
    }

    static String eventId(JsonNode node) throws BadFrame {
        String id = string(node, "id", null);
        if (!EVENT_ID.matcher(id).matches()) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "id must be 16-64 characters of [A-Za-z0-9_-]", null);
        }
        return id;
    }

    static String payload(JsonNode node, String id) throws BadFrame {
        String payload = string(node, "payload", id);
        if (!BASE64URL.matcher(payload).matches() || payload.length() % 4 == 1) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "payload must be unpadded base64url", id);
        }
        int decoded = Base64.getUrlDecoder().decode(payload).length;
        if (decoded > MAX_PAYLOAD_BYTES) {
            throw new BadFrame(ErrorCode.TOO_LARGE, "payload is " + decoded + " bytes, at most " + MAX_PAYLOAD_BYTES, id);
        }
        return payload;
    }

    static String tag(JsonNode node, String id) throws BadFrame {
        String topic = string(node, "topic", id);
        if (!TopicTag.isValid(topic)) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "topic must be a tag of 1-64 characters of [A-Za-z0-9_-]", id);
        }
        return topic;
    }

    static String cell(JsonNode node, String id) throws BadFrame {
        String cell = string(node, "cell", id);
        if (!CELL.matcher(cell).matches()) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "cell must be a geohash of exactly 4 characters", id);
        }
        return cell;
    }

    static String string(JsonNode node, String field, String id) throws BadFrame {
        JsonNode value = node.get(field);
        if (value == null || !value.isString()) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "'" + field + "' must be a string", id);
        }
        return value.asString();
    }

    static int integer(JsonNode node, String field, String id) throws BadFrame {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "'" + field + "' must be an integer", id);
        }
        return value.asInt();
    }

    static String clip(String value) {
        return cut(value, 32);
    }

    static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return cut(newline < 0 ? message : message.substring(0, newline), 120);
    }

    /**
     * At most {@code max} characters of text echoed from a frame, marked when cut. Never half of a
     * surrogate pair (from our cut, or from Jackson, which names an unexpected character beyond
     * the Basic Multilingual Plane by its first half): that is no text, and would reach the client
     * as '?'. A half that remains becomes U+FFFD.
     */
    private static String cut(String value, int max) {
        String cut = value;
        if (value.length() > max) {
            int end = Character.isHighSurrogate(value.charAt(max - 1)) ? max - 1 : max;
            cut = value.substring(0, end) + "…";
        }
        StringBuilder text = new StringBuilder(cut.length());
        cut.codePoints()
                .map(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE ? 0xFFFD : c)
                .forEach(text::appendCodePoint);
        return text.toString();
    }
}
