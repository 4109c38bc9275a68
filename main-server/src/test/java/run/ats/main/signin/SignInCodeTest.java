package run.ats.main.signin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SignInCodeTest {

    @Test
    void codesUseOnlyUnambiguousCharacters() {
        SecureRandom random = new SecureRandom();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            String code = SignInCode.generate(random);
            assertThat(code).hasSize(8).matches("[2-9A-HJKMNP-Z]{8}");
            seen.add(code);
        }
        assertThat(seen).hasSizeGreaterThan(1_990);
        assertThat(SignInCode.ALPHABET).doesNotContain("0", "O", "1", "I", "L");
    }

    @Test
    void typedCodesAreNormalized() {
        assertThat(SignInCode.normalize("abcd-efgh")).contains("ABCDEFGH");
        assertThat(SignInCode.normalize(" ABCD EFGH ")).contains("ABCDEFGH");
        assertThat(SignInCode.display("ABCDEFGH")).isEqualTo("ABCD-EFGH");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ABCDEFG", "ABCDEFGHJ", "ABCD-EFG0", "ABCDEFGI", "ABCD_EFGH", "x"})
    void malformedCodesAreRefused(String typed) {
        assertThat(SignInCode.normalize(typed)).isEmpty();
    }
}
