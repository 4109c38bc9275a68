package run.ats.main.signin;

import run.ats.main.secret.ReadableCode;

import java.security.SecureRandom;
import java.util.Optional;

/** The short code in the sign-in mail: 8 readable characters, about 39.6 bits, shown as {@code ABCD-EFGH}. */
final class SignInCode {

    static final String ALPHABET = ReadableCode.ALPHABET;
    static final int LENGTH = 8;
    private static final ReadableCode CODE = new ReadableCode(LENGTH);

    private SignInCode() {
    }

    static String generate(SecureRandom random) {
        return CODE.generate(random);
    }

    static String display(String code) {
        return CODE.display(code);
    }

    static Optional<String> normalize(String typed) {
        return CODE.normalize(typed);
    }
}
