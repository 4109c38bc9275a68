package run.ats.main.secret;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;

/**
 * A code people read and type: characters from an alphabet without look-alikes (no 0/O,
 * 1/I/L), about 4.95 bits each, shown in groups of four ({@code ABCD-EFGH}) and accepted
 * however people type it (case, spaces and dashes ignored).
 */
public record ReadableCode(int length) {

    public static final String ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    public String generate(SecureRandom random) {
        StringBuilder code = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            code.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return code.toString();
    }

    /** {@code ABCDEFGH} as {@code ABCD-EFGH}. */
    public String display(String code) {
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < code.length(); i += 4) {
            shown.append(i == 0 ? "" : "-").append(code, i, Math.min(code.length(), i + 4));
        }
        return shown.toString();
    }

    /** The canonical code from what a person typed, or empty if it cannot be one. */
    public Optional<String> normalize(String typed) {
        if (typed == null || typed.length() > 4 * length) {
            return Optional.empty();
        }
        String code = typed.replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
        if (code.length() != length || !code.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0)) {
            return Optional.empty();
        }
        return Optional.of(code);
    }
}
