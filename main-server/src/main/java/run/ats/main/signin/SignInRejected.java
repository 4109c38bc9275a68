package run.ats.main.signin;

import org.springframework.http.HttpStatus;

/** Why a sign-in step was refused: the HTTP answer, and a metric tag that is never personal. */
final class SignInRejected extends RuntimeException {

    enum Reason {
        INVALID_EMAIL(HttpStatus.BAD_REQUEST, "invalid-email", "That is not an email address this server accepts."),
        MALFORMED_CODE(HttpStatus.BAD_REQUEST, "invalid-code", "A code is 8 letters and digits, like ABCD-EFGH."),
        NO_FLOW(HttpStatus.BAD_REQUEST, "invalid-code", "No sign-in is waiting for this address; ask for a new code."),
        WRONG_CODE(HttpStatus.BAD_REQUEST, "invalid-code", "The code is wrong."),
        EXPIRED(HttpStatus.BAD_REQUEST, "expired", "This code has expired; ask for a new one."),
        TOO_MANY_ATTEMPTS(HttpStatus.BAD_REQUEST, "too-many-attempts", "Too many wrong codes; ask for a new one."),
        ALREADY_USED(HttpStatus.BAD_REQUEST, "invalid-code", "This code was just used."),
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
