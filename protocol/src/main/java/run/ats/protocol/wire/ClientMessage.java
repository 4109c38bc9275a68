package run.ats.protocol.wire;

/** Every frame a client may send to a relay (protocol v1, ATS-DESIGN section 4). */
public sealed interface ClientMessage {

    record Hello(String token, int protocol) implements ClientMessage {
        @Override
        public String toString() {
            return "Hello[protocol=" + protocol + "]"; // never the token
        }
    }

    record Subscribe(String topic, String cell) implements ClientMessage {
    }

    record Unsubscribe(String topic, String cell) implements ClientMessage {
    }

    /** {@code ttl} in seconds, as the client asked; the relay caps it. */
    record Publish(String topic, String cell, String id, long ttl, String payload) implements ClientMessage {
    }

    record Heartbeat() implements ClientMessage {
    }
}
