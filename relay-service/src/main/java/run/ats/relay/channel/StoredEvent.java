package run.ats.relay.channel;

/** An event kept for replay until it expires: its id, expiry and the encoded frame sent to everyone. */
public record StoredEvent(String id, long expiresAtMs, byte[] frame) {
}
