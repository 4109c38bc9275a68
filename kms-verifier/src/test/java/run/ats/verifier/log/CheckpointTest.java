package run.ats.verifier.log;

import org.junit.jupiter.api.Test;
import run.ats.verifier.testsupport.Keys;

import java.security.KeyPair;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointTest {

    private static final String ORIGIN = "example.test/kms-log";
    private final KeyPair key = Keys.ed25519();
    private final KeyPair other = Keys.ed25519();
    private final Checkpoint checkpoint = new Checkpoint(ORIGIN, 8, Base64.getDecoder().decode("XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="));
    private final String note = checkpoint.sign(ORIGIN, key.getPrivate(), key.getPublic());
    private final String verifierKey = Checkpoint.verifierKey(ORIGIN, key.getPublic());

    @Test
    void signedNoteHasTheC2spShape() {
        assertThat(note).startsWith("example.test/kms-log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n\u2014 example.test/kms-log ");
        String signature = note.substring(note.lastIndexOf(' ') + 1).trim();
        assertThat(Base64.getDecoder().decode(signature)).hasSize(4 + 64);
        assertThat(verifierKey).matches("example\\.test/kms-log\\+[0-9a-f]{8}\\+[A-Za-z0-9+/]{44}");
        assertThat(Checkpoint.verify(note, verifierKey)).isEqualTo(checkpoint);
    }

    @Test
    void otherSignersLinesAreIgnored() {
        String cosigned = note + "\u2014 witness.example AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        assertThat(Checkpoint.verify(cosigned, verifierKey)).isEqualTo(checkpoint);
    }

    @Test
    void changedSizeIsRefused() {
        assertThatThrownBy(() -> Checkpoint.verify(note.replaceFirst("\n8\n", "\n9\n"), verifierKey))
                .isInstanceOf(InvalidCheckpointException.class).hasMessageContaining("no valid signature");
    }

    @Test
    void changedRootIsRefused() {
        assertThatThrownBy(() -> Checkpoint.verify(note.replace("XcnaeacG", "XcnaeacH"), verifierKey))
                .isInstanceOf(InvalidCheckpointException.class);
    }

    @Test
    void changedOriginIsRefused() {
        assertThatThrownBy(() -> Checkpoint.verify(note.replaceFirst("example.test/kms-log\n", "evil.test/kms-log\n"), verifierKey))
                .isInstanceOf(InvalidCheckpointException.class);
    }

    @Test
    void anotherKeysSignatureIsRefused() {
        String forged = checkpoint.sign(ORIGIN, other.getPrivate(), other.getPublic());
        assertThatThrownBy(() -> Checkpoint.verify(forged, verifierKey)).isInstanceOf(InvalidCheckpointException.class);
    }

    @Test
    void truncatedSignatureIsRefused() {
        String truncated = note.substring(0, note.length() - 10) + "\n";
        assertThatThrownBy(() -> Checkpoint.verify(truncated, verifierKey)).isInstanceOf(InvalidCheckpointException.class);
    }

    @Test
    void noteWithoutSignaturesIsRefused() {
        assertThatThrownBy(() -> Checkpoint.verify(checkpoint.body(), verifierKey)).isInstanceOf(InvalidCheckpointException.class);
    }

    /** Found by CheckpointFuzzTest (seed no-signature.txt): a body, the blank line, then nothing, threw an index error. */
    @Test
    void aNoteEndingAtTheBlankLineIsRefusedCleanly() {
        assertThatThrownBy(() -> Checkpoint.verify(checkpoint.body() + "\n", verifierKey)).isInstanceOf(InvalidCheckpointException.class)
                .hasMessageContaining("no signature");
    }

    /** Found by CheckpointFuzzTest (seed empty-origin.txt): a validly signed body with an empty origin line threw IllegalArgumentException. */
    @Test
    void aSignedBodyWithAnEmptyOriginIsRefusedCleanly() {
        String body = "\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n";
        byte[] signature = run.ats.protocol.crypto.Ed25519.sign(key.getPrivate(), body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] line = java.util.Arrays.copyOf(Checkpoint.keyHash(ORIGIN, run.ats.protocol.crypto.Ed25519.raw(key.getPublic())), 68);
        System.arraycopy(signature, 0, line, 4, 64);
        String note = body + "\n\u2014 " + ORIGIN + " " + Base64.getEncoder().encodeToString(line) + "\n";
        assertThatThrownBy(() -> Checkpoint.verify(note, verifierKey)).isInstanceOf(InvalidCheckpointException.class)
                .hasMessageContaining("origin");
    }

    @Test
    void verifierKeyWithAWrongHashIsRefused() {
        String wrong = verifierKey.replaceFirst("\\+[0-9a-f]{8}\\+", "+00000000+");
        assertThatThrownBy(() -> Checkpoint.verify(note, wrong)).isInstanceOf(IllegalArgumentException.class);
    }
}
