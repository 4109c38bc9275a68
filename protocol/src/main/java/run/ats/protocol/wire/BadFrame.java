package run.ats.protocol.wire;

/** A frame that breaks the protocol; answered with an {@code error} frame, the connection stays. */
public final class BadFrame extends Exception {

    private final ErrorCode code;
    private final String id;

    public BadFrame(ErrorCode code, String message, String id) {
        super(message, null, false, false);
        this.code = code;
        this.id = id;
    }

    public ErrorCode code() {
        return code;
    }

    /** The event id of the frame, when it had a valid one. */
    public String id() {
        return id;
    }

    public ServerMessage.Error toError() {
        return new ServerMessage.Error(code, getMessage(), id);
    }
}
