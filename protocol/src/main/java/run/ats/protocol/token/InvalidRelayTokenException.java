package run.ats.protocol.token;

/** A relay-access token whose claims break the contract; the message says which rule. */
public final class InvalidRelayTokenException extends Exception {
    public InvalidRelayTokenException(String message) {
        super(message);
    }
}
