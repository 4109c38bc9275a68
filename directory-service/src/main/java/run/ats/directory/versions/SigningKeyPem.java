package run.ats.directory.versions;

import run.ats.protocol.crypto.Ed25519;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * The directory's signing key given as configuration: an Ed25519 private key in PKCS#8, as PEM
 * ({@code openssl genpkey -algorithm ed25519}, Helm's {@code genPrivateKey "ed25519"}) or bare base64.
 */
final class SigningKeyPem {

    private SigningKeyPem() {
    }

    /** The key pair, its public half derived from the private one; an {@link IllegalArgumentException} naming what is wrong. */
    static KeyPair parse(String text) {
        String body = text.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ats.directory.signing-key is not base64 PKCS#8 (PEM or bare)", e);
        }
        try {
            PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
            return new KeyPair(Ed25519.publicKeyOf(key), key);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("ats.directory.signing-key is not an Ed25519 private key in PKCS#8", e);
        }
    }
}
