package run.ats.protocol.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Ed25519 as ATS uses it across services (relay, directory and log keys; the JDK's own
 * implementation): raw 32-byte public keys on the wire, signatures over domain-separated bytes.
 */
public final class Ed25519 {

    public static final int RAW_KEY_LENGTH = 32;
    public static final int SIGNATURE_LENGTH = 64;

    /**
     * The X.509 SubjectPublicKeyInfo header of every Ed25519 key (RFC 8410): SEQUENCE, the
     * algorithm id 1.3.101.112, then a BIT STRING of 33 bytes (no unused bits, then the key).
     */
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private Ed25519() {
    }

    /**
     * The raw 32 bytes of a JDK Ed25519 public key. Requires an X.509-encoded Ed25519 key; an
     * Ed448 key, which Java also calls "EdDSA", is refused by its encoding.
     */
    public static byte[] raw(PublicKey key) {
        Objects.requireNonNull(key, "key");
        byte[] encoded = key.getEncoded();
        // Checking the header as a whole rejects any other key type instead of taking its last 32 bytes.
        if (encoded == null
                || encoded.length != X509_PREFIX.length + RAW_KEY_LENGTH
                || !Arrays.equals(encoded, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
            throw new IllegalArgumentException("not an X.509-encoded Ed25519 public key: algorithm "
                    + key.getAlgorithm() + ", format " + key.getFormat()
                    + ", " + (encoded == null ? "no" : encoded.length + " bytes of") + " encoding");
        }
        return Arrays.copyOfRange(encoded, X509_PREFIX.length, encoded.length);
    }

    /** The JDK key for 32 raw bytes; an {@link IllegalArgumentException} for anything else. */
    public static PublicKey publicKey(byte[] raw) {
        if (raw == null || raw.length != RAW_KEY_LENGTH) {
            throw new IllegalArgumentException("a raw Ed25519 public key has " + RAW_KEY_LENGTH + " bytes, this one "
                    + (raw == null ? "none" : raw.length));
        }
        byte[] encoded = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + RAW_KEY_LENGTH);
        System.arraycopy(raw, 0, encoded, X509_PREFIX.length, RAW_KEY_LENGTH);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /**
     * The public key of an Ed25519 private key (one given as configuration, a PKCS#8 file or
     * Secret). The JDK has no call for it, but its key-pair generator makes the pair from 32
     * random bytes, the private key's seed: hand it the seed. An {@link IllegalArgumentException}
     * for a key that is not Ed25519 or whose bytes are not available.
     */
    public static PublicKey publicKeyOf(PrivateKey privateKey) {
        if (!(privateKey instanceof EdECPrivateKey key)) {
            throw new IllegalArgumentException("not an Ed25519 private key: " + (privateKey == null ? "none" : privateKey.getAlgorithm()));
        }
        byte[] seed = key.getBytes().orElseThrow(() -> new IllegalArgumentException("the private key's bytes are not available"));
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                @Override
                public void nextBytes(byte[] bytes) {
                    if (bytes.length != seed.length) {
                        throw new IllegalStateException("Ed25519 asked for " + bytes.length + " bytes, not a " + seed.length + "-byte seed");
                    }
                    System.arraycopy(seed, 0, bytes, 0, bytes.length);
                }
            });
            return generator.generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
    }

    /**
     * What ATS signs: a domain line ({@code "ats-directory-v1"} and the like) and a newline,
     * then the message, so that a signature made for one purpose never verifies for another.
     */
    public static byte[] domainSeparated(String domain, byte[] message) {
        byte[] prefix = (domain + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] bytes = Arrays.copyOf(prefix, prefix.length + message.length);
        System.arraycopy(message, 0, bytes, prefix.length, message.length);
        return bytes;
    }

    public static byte[] sign(PrivateKey key, byte[] message) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(key);
            signer.update(message);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
        }
    }

    /** False for a wrong signature, a signature of the wrong length, or a key that is not Ed25519. */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        if (signature == null || signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
