package run.ats.verifier.release;

/** A statement that does not parse, is not signed by a release key, or breaks a rule. */
public final class InvalidStatementException extends RuntimeException {

    public InvalidStatementException(String message) {
        super(message);
    }
}
