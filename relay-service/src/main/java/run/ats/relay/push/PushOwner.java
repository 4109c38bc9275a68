package run.ats.relay.push;

/**
 * Who asks for a push registration, as the relay sees it: the connection (compared by identity),
 * its relay token's random subject, and the client's address. Quotas are counted on all three.
 */
public record PushOwner(Object connection, String token, String address) {
}
