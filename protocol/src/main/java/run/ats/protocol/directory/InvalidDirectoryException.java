package run.ats.protocol.directory;

/** A directory version, or a heartbeat, that is malformed or not signed by the key it must be. */
public final class InvalidDirectoryException extends Exception {
    public InvalidDirectoryException(String message) {
        super(message);
    }
}
