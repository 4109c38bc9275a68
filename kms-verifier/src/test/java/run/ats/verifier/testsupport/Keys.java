package run.ats.verifier.testsupport;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;

/** Fresh Ed25519 key pairs for release keys and logs in tests. */
public final class Keys {

    private Keys() {
    }

    public static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK 15+ has Ed25519", e);
        }
    }
}
