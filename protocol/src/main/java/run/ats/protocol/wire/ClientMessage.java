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

    /** A (tag, cell) a push registration wants to be woken for. */
    record Channel(String topic, String cell) {
    }

    /**
     * Wake this device by Web Push (RFC 8030) for events on {@code channels} while it has no live
     * connection: its push subscription's {@code endpoint}, the VAPID public key ({@code k}, an
     * uncompressed P-256 point, base64url), optionally its encryption {@code keys}, and VAPID JWTs the browser's KMS signed for the push
     * service's origin, each valid at most 24 hours (RFC 8292). Nothing names the person.
     */
    record PushRegister(String endpoint, String vapidKey, java.util.List<String> jwts, java.util.List<Channel> channels,
                        PushKeys keys) implements ClientMessage {
        @Override
        public String toString() {
            return "PushRegister[channels=" + channels.size() + ", jwts=" + jwts.size() + "]"; // never the endpoint or a JWT
        }
    }

    /**
     * The subscription's own keys (RFC 8291: {@code p256dh} an uncompressed P-256 point, {@code auth}
     * 16 bytes, both base64url), given when the device wants an encrypted marker naming the topic
     * tag rather than an empty push. Null: content-free pushes.
     */
    record PushKeys(String p256dh, String auth) {
    }

    /** Forget the registration of this endpoint. */
    record PushUnregister(String endpoint) implements ClientMessage {
        @Override
        public String toString() {
            return "PushUnregister[]";
        }
    }
}
