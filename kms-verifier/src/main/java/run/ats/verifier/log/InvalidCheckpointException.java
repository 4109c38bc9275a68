package run.ats.verifier.log;

/** A checkpoint that does not parse or whose signature does not verify. */
public final class InvalidCheckpointException extends RuntimeException {

    public InvalidCheckpointException(String message) {
        super(message);
    }
}
