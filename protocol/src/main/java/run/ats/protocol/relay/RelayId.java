package run.ats.protocol.relay;

import run.ats.protocol.crypto.Ed25519;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A relay's id (ATS-DESIGN section 2): lowercase base32, no padding, of the first 20 bytes of
 * SHA-256 of its raw 32-byte Ed25519 public key. Self-certifying: whoever shows the key and
 * signs a challenge with it proves to own the id, with no registry to trust.
 */
public final class RelayId {

    /** Characters in an id: 20 bytes are 160 bits, exactly 32 base32 characters. */
    public static final int LENGTH = 32;

    public static final Pattern PATTERN = Pattern.compile("[a-z2-7]{32}");

    private static final int HASH_BYTES_USED = 20;

    private RelayId() {
    }

    /** Requires exactly 32 bytes: the raw Ed25519 public key (RFC 8032), not an encoding of it. */
    public static String of(byte[] rawEd25519PublicKey32) {
        Objects.requireNonNull(rawEd25519PublicKey32, "rawEd25519PublicKey32");
        if (rawEd25519PublicKey32.length != Ed25519.RAW_KEY_LENGTH) {
            throw new IllegalArgumentException("a raw Ed25519 public key has " + Ed25519.RAW_KEY_LENGTH
                    + " bytes, this one " + rawEd25519PublicKey32.length);
        }
        byte[] hash = sha256().digest(rawEd25519PublicKey32);
        return Base32.encode(Arrays.copyOf(hash, HASH_BYTES_USED));
    }

    /**
     * The id of an Ed25519 key as the JDK represents it. Requires an Ed25519 key with an X.509
     * encoding; an Ed448 key, which Java also calls "EdDSA", is refused by its encoding.
     */
    public static String of(PublicKey ed25519Key) {
        return of(Ed25519.raw(ed25519Key));
    }

    /** Whether the string is shaped like a relay id (see {@link #PATTERN}); false for null. */
    public static boolean isValid(String relayId) {
        return relayId != null && PATTERN.matcher(relayId).matches();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
