package run.ats.protocol.wire;

import java.util.Locale;

/**
 * The {@code code} of an {@code error} frame. {@code OVER_CAPACITY}: the relay as a whole is full
 * (channels or stored events), as opposed to {@code LIMIT_REACHED}, a limit of the connection.
 */
public enum ErrorCode {
    BAD_REQUEST, UNAUTHORIZED, RATE_LIMITED, TOO_LARGE, UNKNOWN_TYPE, LIMIT_REACHED, OVER_CAPACITY;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
