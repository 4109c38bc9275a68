package run.ats.protocol.wire;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The canonical text of a client frame, as a client sends it: the other half of
 * {@link WireCodec#decode}, which only relays need in production (clients are the PWA and testkit),
 * kept beside the tests so that round trips can be checked.
 */
final class ClientFrames {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ClientFrames() {
    }

    static String encode(ClientMessage message) {
        ObjectNode node = JSON.createObjectNode();
        switch (message) {
            case ClientMessage.Hello h -> node.put("type", "hello").put("token", h.token()).put("protocol", h.protocol());
            case ClientMessage.Subscribe s -> node.put("type", "subscribe").put("topic", s.topic()).put("cell", s.cell());
            case ClientMessage.Unsubscribe u -> node.put("type", "unsubscribe").put("topic", u.topic()).put("cell", u.cell());
            case ClientMessage.Publish p -> node.put("type", "publish").put("topic", p.topic()).put("cell", p.cell())
                    .put("id", p.id()).put("ttl", p.ttl()).put("payload", p.payload());
            case ClientMessage.Heartbeat h -> node.put("type", "heartbeat");
            case ClientMessage.PushRegister r -> {
                node.put("type", "push.register").put("endpoint", r.endpoint()).put("vapidKey", r.vapidKey());
                ArrayNode jwts = node.putArray("jwts");
                r.jwts().forEach(jwts::add);
                ArrayNode channels = node.putArray("channels");
                r.channels().forEach(c -> channels.addObject().put("topic", c.topic()).put("cell", c.cell()));
                if (r.keys() != null) {
                    node.putObject("keys").put("p256dh", r.keys().p256dh()).put("auth", r.keys().auth());
                }
            }
            case ClientMessage.PushUnregister u -> node.put("type", "push.unregister").put("endpoint", u.endpoint());
        }
        return JSON.writeValueAsString(node);
    }
}
