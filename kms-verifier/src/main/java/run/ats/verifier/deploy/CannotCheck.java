package run.ats.verifier.deploy;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;

import java.io.IOException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/**
 * Why the origin could not be checked, in words a report can carry: a refusal, a malformed answer,
 * a slow or broken connection. Failures of the verifier itself (its database) are not described
 * here: they are logged, and the report says only that the verifier failed, as reports are public.
 */
final class CannotCheck {

    private CannotCheck() {
    }

    /** A failure that came from fetching the origin, as opposed to looking up the log. */
    static final class AtOrigin extends RuntimeException {
        AtOrigin(Throwable cause) {
            super(cause);
        }
    }

    static Throwable atOrigin(Throwable e) {
        return e instanceof AtOrigin ? e : new AtOrigin(e);
    }

    static String describe(Throwable e) {
        return "cannot check: " + switch (e) {
            case UnsafeFetchException refused -> refused.getMessage();
            case ConnectTimeoutException slow -> "could not connect: " + slow.getMessage();
            case UnknownHostException unknown -> "unknown host: " + unknown.getMessage();
            case TimeoutException slow -> "no answer in time";
            case IOException broken -> "the connection failed: " + broken.getMessage();
            case DecoderException malformed -> "a malformed HTTP answer: " + malformed.getMessage();
            // Whatever else the origin's bytes made the HTTP client throw (a bad chunk size, say).
            default -> "a malformed answer (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
        };
    }
}
