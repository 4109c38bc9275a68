package run.ats.verifier.sri;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code integrity} attributes as an origin's page carries them: parsing and matching never fail
 * (unusable values are skipped, as browsers do; none usable matches anything, as in browsers), and
 * a file's own SRI value matches it.
 */
class SriFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void attributesParseWithoutFailing(byte[] input) {
        String attribute = new String(input, StandardCharsets.UTF_8);
        byte[] content = "body { color: red; }".getBytes(StandardCharsets.UTF_8);
        for (Sri.Value value : Sri.parse(attribute)) {
            assertThat(value.algorithm()).isNotNull();
        }
        // No usable value: browsers load the file (W3C SRI), and so does the check.
        if (Sri.parse(attribute).isEmpty()) {
            assertThat(Sri.matches(attribute, content)).isTrue();
        }
        Sri.isSingleValue(attribute);
        // The SRI value of the input itself always matches it.
        assertThat(Sri.matches(Sri.of(input), input)).isTrue();
    }
}
