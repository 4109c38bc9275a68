package run.ats.main.signin;

import org.springframework.http.HttpStatus;

/**
 * Why a sign-in step was refused: the HTTP answer, and a metric tag that is never personal.
 * Every refusal of a well-formed code has one answer, whatever the reason: telling "nobody is
 * signing in with this address" from "wrong code" (or "expired", "attempts used up") would let
 * anyone learn who is signing in right now. Only the metric tag tells them apart.
 */
final class SignInRejected extends RuntimeException {

    /** The one answer to a well-formed code that does not sign in. */
    private static final String CODE_REFUSED =
            "This code does not sign in: it is wrong, expired or already used. Check the newest mail, or ask for a new code.";

    enum Reason {
        INVALID_EMAIL(HttpStatus.BAD_REQUEST, "invalid-email", "That is not an email address this server accepts."),
        MALFORMED_CODE(HttpStatus.BAD_REQUEST, "invalid-code", "A code is 8 letters and digits, like ABCD-EFGH."),
        NO_FLOW(HttpStatus.BAD_REQUEST, "invalid-code", CODE_REFUSED),
        WRONG_CODE(HttpStatus.BAD_REQUEST, "invalid-code", CODE_REFUSED),
        EXPIRED(HttpStatus.BAD_REQUEST, "invalid-code", CODE_REFUSED),
        TOO_MANY_ATTEMPTS(HttpStatus.BAD_REQUEST, "invalid-code", CODE_REFUSED),
        ALREADY_USED(HttpStatus.BAD_REQUEST, "invalid-code", CODE_REFUSED),
        LINK_INVALID(HttpStatus.BAD_REQUEST, "link-invalid",
                "This sign-in link was already used, replaced by a newer one, or has expired."),
        WRONG_BROWSER(HttpStatus.FORBIDDEN, "wrong-browser",
                "This link signs in only the browser that asked for it. Type the code from the mail on that device.");

        final HttpStatus status;
        final String slug;
        final String message;

        Reason(HttpStatus status, String slug, String message) {
            this.status = status;
            this.slug = slug;
            this.message = message;
        }

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    final Reason reason;
    final String detail;

    SignInRejected(Reason reason) {
        this(reason, reason.message);
    }

    SignInRejected(Reason reason, String detail) {
        super(reason.tag(), null, false, false);
        this.reason = reason;
        this.detail = detail;
    }
}
