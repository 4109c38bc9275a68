package run.ats.protocol.wire;

import java.util.Locale;

/** The {@code code} of an {@code error} frame. */
public enum ErrorCode {
    BAD_REQUEST, UNAUTHORIZED, RATE_LIMITED, TOO_LARGE, UNKNOWN_TYPE, LIMIT_REACHED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
