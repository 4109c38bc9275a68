package run.ats.relay.channel;

/**
 * An event kept for replay until it expires: its id, expiry, the encoded frame sent to everyone,
 * and whether a client of this relay published it (a relay stays in a tree while its own
 * publishes live, even with no subscriber of its own).
 */
public record StoredEvent(String id, long expiresAtMs, byte[] frame, boolean local) {
}
