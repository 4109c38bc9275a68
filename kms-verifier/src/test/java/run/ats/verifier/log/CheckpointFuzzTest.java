package run.ats.verifier.log;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checkpoints as a log (or someone posing as one) serves them: a signed note is either a
 * checkpoint whose body is exactly what was signed, or an {@link InvalidCheckpointException};
 * nothing else escapes. The key is fixed (from a fixed seed), so runs are deterministic.
 */
class CheckpointFuzzTest {

    private static final KeyPair KEY = fixedKey();
    private static final String ORIGIN = "ats.run/kms-log";
    private static final String VERIFIER_KEY = Checkpoint.verifierKey(ORIGIN, KEY.getPublic());

    /** Any body, validly signed: the parser must refuse it cleanly or read it back exactly. */
    @FuzzTest(maxDuration = "20s")
    void signedBodiesParseOrAreRefused(byte[] input) {
        String body = new String(input, StandardCharsets.UTF_8);
        if (!body.endsWith("\n") || body.contains("\n\n")) {
            body = body.replace("\n\n", "\n") + "\n";
        }
        String note = body + "\n" + "\u2014 " + ORIGIN + " " + signature(body) + "\n";
        try {
            Checkpoint checkpoint = Checkpoint.verify(note, VERIFIER_KEY);
            // What was read is what was signed (later lines are extensions, ignored).
            assertThat(body).startsWith(checkpoint.origin() + "\n" + checkpoint.size() + "\n");
        } catch (InvalidCheckpointException refused) {
            // the documented rejection
        }
    }

    /** Any text as a note: never accepted without the key's signature, never anything but the rejection. */
    @FuzzTest(maxDuration = "20s")
    void unsignedNotesAreRefused(byte[] input) {
        String note = new String(input, StandardCharsets.UTF_8);
        try {
            Checkpoint.verify(note, VERIFIER_KEY);
            throw new AssertionError("accepted a note nobody signed: " + note);
        } catch (InvalidCheckpointException refused) {
            // the documented rejection
        }
    }

    private static String signature(String body) {
        // Checkpoint.sign builds notes only from valid checkpoints; sign the raw body the same way here.
        byte[] signature = run.ats.protocol.crypto.Ed25519.sign(KEY.getPrivate(), body.getBytes(StandardCharsets.UTF_8));
        byte[] hash = Checkpoint.keyHash(ORIGIN, run.ats.protocol.crypto.Ed25519.raw(KEY.getPublic()));
        byte[] line = Arrays.copyOf(hash, 4 + signature.length);
        System.arraycopy(signature, 0, line, 4, signature.length);
        return java.util.Base64.getEncoder().encodeToString(line);
    }

    static KeyPair fixedKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                @Override
                public void nextBytes(byte[] bytes) {
                    Arrays.fill(bytes, (byte) 7);
                }
            });
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
