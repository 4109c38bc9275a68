package run.ats.directory.versions;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
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
            EdECPrivateKey key = (EdECPrivateKey) KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
            byte[] seed = key.getBytes().orElseThrow(() -> new IllegalArgumentException("ats.directory.signing-key has no seed"));
            return fromSeed(seed);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("ats.directory.signing-key is not an Ed25519 private key in PKCS#8", e);
        }
    }

    // The JDK has no "public key of this private key": generating from the same 32-byte seed gives the same pair.
    private static KeyPair fromSeed(byte[] seed) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                if (bytes.length != seed.length) {
                    throw new IllegalStateException("Ed25519 asked for " + bytes.length + " random bytes, not a 32-byte seed");
                }
                System.arraycopy(seed, 0, bytes, 0, seed.length);
            }
        });
        return generator.generateKeyPair();
    }
}
