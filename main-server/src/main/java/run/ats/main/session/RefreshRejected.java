package run.ats.main.session;

/** A refresh that must not succeed; {@code reason} is a metric tag and never personal. */
public final class RefreshRejected extends RuntimeException {

    private final String reason;

    RefreshRejected(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
