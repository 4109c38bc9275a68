package run.ats.protocol.wire;

import java.util.List;
import java.util.Map;

/** Every frame a relay sends to a client (protocol v1, ATS-DESIGN section 4). */
public sealed interface ServerMessage {

    record Welcome(String relayId, int protocol, List<String> features, Map<String, Long> limits) implements ServerMessage {
    }

    record Subscribed(String topic, String cell) implements ServerMessage {
    }

    record Unsubscribed(String topic, String cell) implements ServerMessage {
    }

    record Ack(String id) implements ServerMessage {
    }

    record Heartbeat() implements ServerMessage {
    }

    /** {@code expiresAt} in epoch milliseconds. */
    record Event(String topic, String cell, String id, String payload, long expiresAt) implements ServerMessage {
    }

    /** A push registration is held until {@code expiresAt} (epoch ms), when its last JWT runs out. */
    record PushRegistered(int channels, long expiresAt) implements ServerMessage {
    }

    record PushUnregistered() implements ServerMessage {
    }

    /** {@code id} names the event the error is about, or is null. */
    record Error(ErrorCode code, String message, String id) implements ServerMessage {
    }
}
