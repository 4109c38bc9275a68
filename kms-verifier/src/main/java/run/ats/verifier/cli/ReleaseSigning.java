package run.ats.verifier.cli;

import run.ats.protocol.crypto.Ed25519;
import run.ats.verifier.release.SignedStatement;
import run.ats.verifier.sri.Sri;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The release side, for whoever publishes KMS builds: a release key, and the signed bodies that
 * {@code POST /v1/releases} and {@code POST /v1/releases/{version}/deprecation} take.
 */
final class ReleaseSigning {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ReleaseSigning() {
    }

    /** Makes the key file if it is absent (owner-only, PKCS#8 PEM); answers the public key, base64. */
    static String releaseKey(Path file) throws IOException, GeneralSecurityException {
        if (!Files.exists(file)) {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n"
                    + "# public " + Base64.getEncoder().encodeToString(Ed25519.raw(pair.getPublic())) + "\n";
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, pem);
        }
        return publicKeyOf(file);
    }

    static String publicKeyOf(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(line -> line.startsWith("# public ")).map(line -> line.substring(9).trim())
                .findFirst().orElseThrow(() -> new IOException(file + " has no '# public' line"));
    }

    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file);
        int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IOException(file + " is not a release key file");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + 27, end));
        return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    /** The release statement for every file under {@code dir}, signed: the body to POST. */
    static String signRelease(Path dir, String version, String commit, PrivateKey key) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                files.put(dir.relativize(file).toString().replace('\\', '/'), Sri.of(Files.readAllBytes(file)));
            }
        }
        Map<String, Object> statement = new LinkedHashMap<>();
        statement.put("type", "release");
        statement.put("version", version);
        statement.put("sourceCommit", commit);
        statement.put("files", files);
        return signed(JSON.writeValueAsBytes(statement), key);
    }

    static String signDeprecation(String version, String reason, PrivateKey key) {
        Map<String, Object> statement = new LinkedHashMap<>();
        statement.put("type", "deprecation");
        statement.put("version", version);
        statement.put("reason", reason);
        return signed(JSON.writeValueAsBytes(statement), key);
    }

    private static String signed(byte[] statement, PrivateKey key) {
        SignedStatement signed = SignedStatement.sign(statement, key);
        // Checked here too, so a bad manifest fails on the publisher's machine, not at the log.
        signed.parse();
        Map<String, String> body = new LinkedHashMap<>();
        body.put("statement", Base64.getEncoder().encodeToString(signed.statement()));
        body.put("signature", Base64.getEncoder().encodeToString(signed.signature()));
        return JSON.writeValueAsString(body);
    }
}
