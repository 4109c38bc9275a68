package run.ats.main.signin;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;

/**
 * The short code in the sign-in mail: 8 characters from an alphabet without look-alikes
 * (no 0/O, 1/I/L), about 39.6 bits. Shown as {@code ABCD-EFGH}; typed any way people type it.
 */
final class SignInCode {

    static final String ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    static final int LENGTH = 8;

    private SignInCode() {
    }

    static String generate(SecureRandom random) {
        StringBuilder code = new StringBuilder(LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            code.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return code.toString();
    }

    /** {@code ABCDEFGH} as {@code ABCD-EFGH}. */
    static String display(String code) {
        return code.substring(0, 4) + "-" + code.substring(4);
    }

    /** The canonical code from what a person typed (case, spaces and dashes ignored), or empty if it cannot be one. */
    static Optional<String> normalize(String typed) {
        if (typed == null || typed.length() > 32) {
            return Optional.empty();
        }
        String code = typed.replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
        if (code.length() != LENGTH || !code.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0)) {
            return Optional.empty();
        }
        return Optional.of(code);
    }
}
