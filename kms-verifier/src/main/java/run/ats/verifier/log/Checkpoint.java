package run.ats.verifier.log;

import run.ats.protocol.crypto.Ed25519;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A log checkpoint in the C2SP tlog-checkpoint format, signed as a C2SP signed note:
 *
 * <pre>
 * origin
 * size
 * base64(root)
 *
 * — keyName base64(keyHash[4] || ed25519Signature[64])
 * </pre>
 *
 * The signature covers the body (the three lines, each ending in a newline). The key hash is
 * the first 4 bytes of SHA-256(keyName || "\n" || 0x01 || publicKey), 0x01 naming Ed25519.
 */
public record Checkpoint(String origin, long size, byte[] root) {

    private static final String SIGNATURE_PREFIX = "\u2014 ";
    private static final byte ED25519 = 0x01;

    public Checkpoint {
        if (origin == null || origin.isBlank() || origin.contains("\n")) {
            throw new IllegalArgumentException("a checkpoint origin is one non-empty line");
        }
        if (size < 0 || root == null || root.length != Merkle.HASH_LENGTH) {
            throw new IllegalArgumentException("a checkpoint has a size of at least 0 and a 32-byte root");
        }
        root = root.clone();
    }

    @Override
    public byte[] root() {
        return root.clone();
    }

    public String body() {
        return origin + "\n" + size + "\n" + Base64.getEncoder().encodeToString(root) + "\n";
    }

    /** The signed note: the body, a blank line and one signature line by the log's key. */
    public String sign(String keyName, PrivateKey privateKey, PublicKey publicKey) {
        byte[] signature = Ed25519.sign(privateKey, body().getBytes(StandardCharsets.UTF_8));
        byte[] line = new byte[4 + signature.length];
        System.arraycopy(keyHash(keyName, Ed25519.raw(publicKey)), 0, line, 0, 4);
        System.arraycopy(signature, 0, line, 4, signature.length);
        return body() + "\n" + SIGNATURE_PREFIX + keyName + " " + Base64.getEncoder().encodeToString(line) + "\n";
    }

    /**
     * Parses a signed note and checks it carries a valid signature by {@code verifierKey} (the
     * note verifier key format, {@code name+hexKeyHash+base64(0x01 || key)}). Any other
     * signature lines are ignored, as the signed-note format requires.
     */
    public static Checkpoint verify(String note, String verifierKey) {
        VerifierKey key = VerifierKey.parse(verifierKey);
        int split = note.lastIndexOf("\n\n");
        if (split < 0 || !note.endsWith("\n")) {
            throw new InvalidCheckpointException("not a signed note: no blank line between body and signatures");
        }
        String body = note.substring(0, split + 1);
        if (split + 2 > note.length() - 1) {
            throw new InvalidCheckpointException("not a signed note: no signature lines after the blank line");
        }
        boolean signed = false;
        for (String line : note.substring(split + 2, note.length() - 1).split("\n", -1)) {
            if (!line.startsWith(SIGNATURE_PREFIX)) {
                throw new InvalidCheckpointException("malformed signature line");
            }
            String[] parts = line.substring(SIGNATURE_PREFIX.length()).split(" ", -1);
            if (parts.length != 2 || !parts[0].equals(key.name())) {
                continue;
            }
            byte[] decoded = decode(parts[1], "signature");
            if (decoded.length != 4 + Ed25519.SIGNATURE_LENGTH || !Arrays.equals(decoded, 0, 4, key.hash(), 0, 4)) {
                continue;
            }
            byte[] signature = Arrays.copyOfRange(decoded, 4, decoded.length);
            if (Ed25519.verify(Ed25519.publicKey(key.raw()), body.getBytes(StandardCharsets.UTF_8), signature)) {
                signed = true;
            }
        }
        if (!signed) {
            throw new InvalidCheckpointException("no valid signature by " + key.name());
        }
        return parseBody(body);
    }

    private static Checkpoint parseBody(String body) {
        List<String> lines = List.of(body.substring(0, body.length() - 1).split("\n", -1));
        if (lines.size() < 3) {
            throw new InvalidCheckpointException("a checkpoint body has an origin, a size and a root");
        }
        if (lines.get(0).isBlank()) {
            throw new InvalidCheckpointException("the origin line is empty");
        }
        long size;
        try {
            // Decimal, no sign, no leading zeros: one spelling per size.
            if (!lines.get(1).matches("0|[1-9][0-9]{0,18}")) {
                throw new NumberFormatException(lines.get(1));
            }
            size = Long.parseLong(lines.get(1));
        } catch (NumberFormatException e) {
            throw new InvalidCheckpointException("the size line is not a decimal number");
        }
        byte[] root = decode(lines.get(2), "root");
        if (root.length != Merkle.HASH_LENGTH) {
            throw new InvalidCheckpointException("the root is not 32 bytes");
        }
        return new Checkpoint(lines.get(0), size, root);
    }

    /** The verifier key auditors pin: {@code name+hexKeyHash+base64(0x01 || key)}. */
    public static String verifierKey(String keyName, PublicKey publicKey) {
        byte[] raw = Ed25519.raw(publicKey);
        byte[] typed = new byte[1 + raw.length];
        typed[0] = ED25519;
        System.arraycopy(raw, 0, typed, 1, raw.length);
        return keyName + "+" + HexFormat.of().formatHex(keyHash(keyName, raw)) + "+" + Base64.getEncoder().encodeToString(typed);
    }

    /** Checks that {@code verifierKey} is a well-formed Ed25519 verifier key; an {@link IllegalArgumentException} says why not. */
    public static void checkVerifierKey(String verifierKey) {
        VerifierKey.parse(verifierKey);
    }

    static byte[] keyHash(String keyName, byte[] rawKey) {
        var digest = Merkle.sha256();
        digest.update(keyName.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
        digest.update(ED25519);
        return Arrays.copyOf(digest.digest(rawKey), 4);
    }

    private static byte[] decode(String base64, String what) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new InvalidCheckpointException("the " + what + " is not base64");
        }
    }

    private record VerifierKey(String name, byte[] hash, byte[] raw) {
        static VerifierKey parse(String text) {
            String[] parts = text == null ? new String[0] : text.split("\\+", 3);
            if (parts.length != 3) {
                throw new IllegalArgumentException("a verifier key reads name+keyhash+key");
            }
            byte[] typed = decode(parts[2], "verifier key");
            if (typed.length != 1 + Ed25519.RAW_KEY_LENGTH || typed[0] != ED25519) {
                throw new IllegalArgumentException("the verifier key is not an Ed25519 key");
            }
            byte[] raw = Arrays.copyOfRange(typed, 1, typed.length);
            byte[] hash = keyHash(parts[0], raw);
            if (!HexFormat.of().formatHex(hash).equals(parts[1])) {
                throw new IllegalArgumentException("the verifier key's hash does not match its name and key");
            }
            return new VerifierKey(parts[0], hash, raw);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Checkpoint that && size == that.size && origin.equals(that.origin) && Arrays.equals(root, that.root);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * origin.hashCode() + Long.hashCode(size)) + Arrays.hashCode(root);
    }

    @Override
    public String toString() {
        return "Checkpoint[" + origin + ", " + size + ", " + HexFormat.of().formatHex(root) + "]";
    }
}
