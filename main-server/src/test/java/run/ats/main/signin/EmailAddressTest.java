package run.ats.main.signin;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class EmailAddressTest {

    @ParameterizedTest
    @CsvSource({
            "alice@example.com, alice@example.com",
            "' Alice@Example.COM ', alice@example.com",
            "a.b+tag@sub.example.co.uk, a.b+tag@sub.example.co.uk",
            "o'neil@example.ie, o'neil@example.ie",
    })
    void acceptsAndNormalizes(String raw, String normalized) {
        assertThat(EmailAddress.normalize(raw)).contains(normalized);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "plain", "a@b", "a@b.c", "@example.com", "a@", "a@@example.com", "a b@example.com",
            ".a@example.com", "a.@example.com", "a..b@example.com", "a@-example.com", "a@example..com",
            "\"quoted\"@example.com", "a@[127.0.0.1]", "a@example.com\nBcc: x@example.com"})
    void refuses(String raw) {
        assertThat(EmailAddress.normalize(raw)).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void refusesOverlongAndNull() {
        assertThat(EmailAddress.normalize(null)).isEmpty();
        assertThat(EmailAddress.normalize("a".repeat(64) + "@" + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(63) + ".com"))
                .isEmpty();
    }
}
