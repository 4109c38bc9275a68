package run.ats.verifier.release;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SignedStatementTest {

    private static final String INDEX = "sha384-H8BRh8j48O9oYatfu5AZzq6A9RINhZO5H16dQZngK7T62em8MUt1FLm52t+eX6xO";

    @Test
    void aReleaseRoundTripsThroughItsLogEntry() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        SignedStatement signed = SignedStatement.sign(release("1.0.0", "\"index.html\":\"" + INDEX + "\""), key.getPrivate());
        SignedStatement back = SignedStatement.fromLeafData(signed.leafData());
        assertThat(back.statement()).isEqualTo(signed.statement());
        assertThat(back.signedByAnyOf(List.of(key.getPublic()))).isTrue();
        assertThat(back.signedByAnyOf(List.of(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic()))).isFalse();
        assertThat(back.parse()).isInstanceOfSatisfying(Statement.Release.class,
                release -> assertThat(release.files()).containsEntry("index.html", INDEX));
    }

    /**
     * Found by StatementFuzzTest (seeds non-canonical-base64-*.txt): base64 with stray bits in its last
     * character decoded to the same statement, so two different entries read as one. One spelling now.
     */
    @Test
    void aLogEntryInNonCanonicalBase64IsRefused() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String entry = new String(SignedStatement.sign(release("1.0.0", "\"index.html\":\"" + INDEX + "\""), key.getPrivate()).leafData(),
                StandardCharsets.US_ASCII);
        // A 64-byte signature is 86 characters and "==": the last character carries 2 stray bits.
        String[] lines = entry.split("\n", -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        String strayBits = lines[2].substring(0, 85) + alphabet.charAt(alphabet.indexOf(lines[2].charAt(85)) | 1) + "==";
        assertThat(java.util.Base64.getDecoder().decode(strayBits)).isEqualTo(java.util.Base64.getDecoder().decode(lines[2]));
        String forged = lines[0] + "\n" + lines[1] + "\n" + strayBits + "\n";
        assertThatThrownBy(() -> SignedStatement.fromLeafData(forged.getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(InvalidStatementException.class).hasMessageContaining("canonical");
        assertThat(SignedStatement.fromLeafData(entry.getBytes(StandardCharsets.US_ASCII)).statement()).isNotEmpty();
    }

    @Test
    void aSignatureMadeForAnotherPurposeDoesNotVerify() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] statement = release("1.0.0", "\"index.html\":\"" + INDEX + "\"");
        // Signed without the statement domain, as a careless key holder might sign other things.
        SignedStatement bare = new SignedStatement(statement, run.ats.protocol.crypto.Ed25519.sign(key.getPrivate(), statement));
        assertThat(bare.signedByAnyOf(List.of(key.getPublic()))).isFalse();
    }

    @Test
    void badReleasesAreRefusedWithAReason() {
        assertInvalid(release("1.0.0", "\"app.js\":\"" + INDEX + "\""), "entry page");
        assertInvalid(release("1.0.0", "\"index.html\":\"sha384-short\""), "integrity");
        assertInvalid(release("1.0.0", "\"index.html\":\"" + INDEX + "\",\"../etc/passwd\":\"" + INDEX + "\""), "not a file path");
        assertInvalid(release("1.0.0", "\"index.html\":\"" + INDEX + "\",\"a//b.js\":\"" + INDEX + "\""), "not a file path");
        assertInvalid(release("../1", "\"index.html\":\"" + INDEX + "\""), "version");
        assertInvalid(bytes("{\"type\":\"release\",\"version\":\"1\",\"sourceCommit\":\"XYZ\",\"files\":{\"index.html\":\"" + INDEX + "\"}}"),
                "sourceCommit");
        assertInvalid(bytes("{\"type\":\"release\",\"version\":\"1\",\"sourceCommit\":\"abcdef1\",\"files\":{\"index.html\":\""
                + INDEX + "\"},\"extra\":1}"), "not a statement");
        assertInvalid(bytes("{\"type\":\"upgrade\"}"), "type");
        assertInvalid(bytes("not json"), "not a statement");
        assertInvalid(bytes("{\"type\":\"deprecation\",\"version\":\"1.0.0\",\"reason\":\"\"}"), "reason");
    }

    private static void assertInvalid(byte[] statement, String reason) {
        SignedStatement signed = new SignedStatement(statement, new byte[64]);
        assertThatThrownBy(signed::parse).isInstanceOf(InvalidStatementException.class).hasMessageContaining(reason);
    }

    private static byte[] release(String version, String files) {
        return bytes("{\"type\":\"release\",\"version\":\"" + version + "\",\"sourceCommit\":\"0123456789abcdef0123456789abcdef01234567\","
                + "\"files\":{" + files + "}}");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
