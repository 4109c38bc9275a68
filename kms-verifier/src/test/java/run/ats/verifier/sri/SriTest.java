package run.ats.verifier.sri;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class SriTest {

    private static final byte[] HELLO = "alert('Hello, world.');".getBytes(StandardCharsets.UTF_8);

    @Test
    void matchesTheKnownAnswersIncludingTheW3cExample() throws IOException {
        JsonNode vectors = JsonMapper.builder().build().readTree(SriTest.class.getResourceAsStream("/vectors/sri.json"));
        for (JsonNode vector : vectors.get("cases")) {
            byte[] content = vector.get("content_utf8").asString().getBytes(StandardCharsets.UTF_8);
            for (Sri.Algorithm algorithm : Sri.Algorithm.values()) {
                if (vector.has(algorithm.token())) {
                    assertThat(Sri.of(algorithm, content)).isEqualTo(vector.get(algorithm.token()).asString());
                }
            }
        }
        assertThat(Sri.of(HELLO)).isEqualTo("sha384-H8BRh8j48O9oYatfu5AZzq6A9RINhZO5H16dQZngK7T62em8MUt1FLm52t+eX6xO");
    }

    @Test
    void matchesOpenssl(@TempDir Path dir) throws Exception {
        byte[] content = new byte[70_000];
        new java.util.Random(7).nextBytes(content);
        Path file = Files.write(dir.resolve("bundle.js"), content);
        Process openssl = new ProcessBuilder("sh", "-c", "openssl dgst -sha384 -binary '" + file + "' | base64 -w0")
                .redirectErrorStream(true).start();
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String expected = "sha384-" + new String(openssl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertThat(openssl.exitValue()).isZero();
        assertThat(Sri.of(content)).isEqualTo(expected);
    }

    @Test
    void onlyTheStrongestAlgorithmCounts() {
        String sha256 = Sri.of(Sri.Algorithm.SHA256, HELLO);
        String wrong384 = "sha384-" + "A".repeat(64);
        assertThat(Sri.matches(sha256, HELLO)).isTrue();
        // A right sha256 does not rescue a wrong sha384: the browser only looks at sha384.
        assertThat(Sri.matches(sha256 + " " + wrong384, HELLO)).isFalse();
        assertThat(Sri.matches(wrong384 + " " + Sri.of(Sri.Algorithm.SHA384, HELLO), HELLO)).isTrue();
        assertThat(Sri.matches(Sri.of(Sri.Algorithm.SHA512, HELLO) + " " + wrong384, HELLO)).isTrue();
    }

    @Test
    void unknownAlgorithmsAreIgnoredAndNothingUsablePasses() {
        assertThat(Sri.matches("md5-AAAA sha1-BBBB", HELLO)).isTrue();
        assertThat(Sri.matches("", HELLO)).isTrue();
        assertThat(Sri.matches("md5-AAAA " + Sri.of(HELLO), HELLO)).isTrue();
        assertThat(Sri.matches("md5-AAAA sha384-" + "B".repeat(64), HELLO)).isFalse();
    }

    @Test
    void optionsAreDroppedAndAlgorithmNamesAreCaseInsensitive() {
        String value = Sri.of(HELLO);
        assertThat(Sri.matches(value + "?ct=application/javascript", HELLO)).isTrue();
        assertThat(Sri.matches(value.replace("sha384", "SHA384"), HELLO)).isTrue();
    }

    @Test
    void oneByteChangesTheValue() {
        byte[] changed = HELLO.clone();
        changed[3] ^= 1;
        assertThat(Sri.matches(Sri.of(HELLO), changed)).isFalse();
    }

    @Test
    void manifestValuesAreSingleAndWellFormed() {
        assertThat(Sri.isSingleValue(Sri.of(HELLO))).isTrue();
        assertThat(Sri.isSingleValue(Sri.of(HELLO) + " " + Sri.of(HELLO))).isFalse();
        assertThat(Sri.isSingleValue("sha384-AAAA")).isFalse();
        assertThat(Sri.isSingleValue("md5-" + "A".repeat(24))).isFalse();
    }
}
