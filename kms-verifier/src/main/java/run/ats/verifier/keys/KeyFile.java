package run.ats.verifier.keys;

import run.ats.protocol.crypto.Ed25519;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * An Ed25519 key pair in a file: the private key as PKCS#8 PEM, then a {@code # public} line with
 * the raw public key in base64, for people (the file is read without it too). The release key
 * and the log's checkpoint key are kept this way, outside any database.
 */
public final class KeyFile {

    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";
    private static final String PUBLIC = "# public ";

    private KeyFile() {
    }

    /**
     * Makes a new key pair in {@code file}, readable by its owner only (0600 from the start, never
     * wider); fails if the file exists.
     */
    public static KeyPair create(Path file) throws IOException, GeneralSecurityException {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String text = BEGIN + "\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pair.getPrivate().getEncoded()) + "\n" + END + "\n"
                + PUBLIC + Base64.getEncoder().encodeToString(Ed25519.raw(pair.getPublic())) + "\n";
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text);
        return pair;
    }

    /** Makes the file if it is absent; reads it either way. */
    public static KeyPair readOrCreate(Path file) throws IOException, GeneralSecurityException {
        try {
            return create(file);
        } catch (FileAlreadyExistsException exists) {
            return read(file);
        }
    }

    /**
     * The key pair in {@code file}; an {@link IOException} naming the file if it is not one, or if its
     * {@code # public} line is not the private key's. Without that line (a key from
     * {@code openssl genpkey -algorithm ed25519} or a chart's Secret) the public key is derived.
     */
    public static KeyPair read(Path file) throws IOException, GeneralSecurityException {
        PrivateKey privateKey = privateKey(file);
        PublicKey derived = Ed25519.publicKeyOf(privateKey);
        boolean listed = Files.readAllLines(file).stream().anyMatch(line -> line.startsWith(PUBLIC));
        if (listed && !Arrays.equals(Ed25519.raw(derived), Base64.getDecoder().decode(publicKeyBase64(file)))) {
            throw new IOException(file + ": the '# public' line is not the private key's public key");
        }
        return new KeyPair(derived, privateKey);
    }

    /** The raw public key, base64, from the {@code # public} line. */
    public static String publicKeyBase64(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(line -> line.startsWith(PUBLIC)).map(line -> line.substring(PUBLIC.length()).trim())
                .findFirst().orElseThrow(() -> new IOException(file + " has no '# public' line"));
    }

    public static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IOException(file + " is not a key file (no " + BEGIN + ")");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + BEGIN.length(), end));
        return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
    }
}
