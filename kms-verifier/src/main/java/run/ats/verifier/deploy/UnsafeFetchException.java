package run.ats.verifier.deploy;

/** A fetch the verifier refused: an internal address, a redirect elsewhere, a body over the cap. */
public final class UnsafeFetchException extends RuntimeException {

    public UnsafeFetchException(String message) {
        super(message);
    }
}
