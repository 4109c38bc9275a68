package run.ats.protocol.wire;

/**
 * Every frame between two relays on {@code /v1/link} (ATS-DESIGN section 4): the same JSON text
 * framing as the client protocol. The accepting relay speaks first with a challenge; the dialing
 * relay proves its key and names the challenge; the acceptor proves its own in return. Then
 * either side sends the version of the directory it holds (gossip), the dialer joins and leaves
 * trees, and events flow both ways, with the same bytes a client gets.
 */
public sealed interface LinkMessage {

    /** Acceptor to dialer, first: who the acceptor claims to be, and a fresh nonce to sign. */
    record Challenge(String relayId, String nonce) implements LinkMessage {
    }

    /** Dialer to acceptor: its id, its own nonce for the acceptor, and its signature over the challenge. */
    record Hello(String relayId, String nonce, String signature) implements LinkMessage {
    }

    /** Acceptor to dialer: its signature over the dialer's nonce. */
    record Welcome(String relayId, String signature) implements LinkMessage {
    }

    /** The directory version the sender holds; a peer with an older one fetches {@code GET /v1/directory}. */
    record DirectoryVersion(long version) implements LinkMessage {
    }

    /** Dialer to acceptor: send me the events of this tree (the unexpired ones first). */
    record Join(String topic, String cell) implements LinkMessage {
    }

    record Leave(String topic, String cell) implements LinkMessage {
    }

    /** An event, either way; byte for byte the client protocol's {@code event}. */
    record Event(String topic, String cell, String id, String payload, long expiresAt) implements LinkMessage {
    }
}
