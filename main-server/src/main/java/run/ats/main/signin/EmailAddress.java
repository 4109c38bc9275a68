package run.ats.main.signin;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What this server accepts as an email address: a practical subset of RFC 5321 (no quoted
 * local parts, no IP literals), at most 254 characters, compared in lower case.
 */
final class EmailAddress {

    private static final Pattern SHAPE = Pattern.compile(
            "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}");

    private EmailAddress() {
    }

    /** The normalized address, or empty when {@code raw} is not one. */
    static Optional<String> normalize(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String trimmed = raw.strip();
        if (trimmed.length() > 254 || !SHAPE.matcher(trimmed).matches()
                || trimmed.startsWith(".") || trimmed.contains("..") || trimmed.contains(".@")) {
            return Optional.empty();
        }
        return Optional.of(trimmed.toLowerCase(Locale.ROOT));
    }
}
