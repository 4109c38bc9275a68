package run.ats.verifier.cli;

import run.ats.verifier.keys.KeyFile;
import run.ats.verifier.release.SignedStatement;
import run.ats.verifier.sri.Sri;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
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
            KeyFile.create(file);
        }
        return publicKeyOf(file);
    }

    static String publicKeyOf(Path file) throws IOException {
        return KeyFile.publicKeyBase64(file);
    }

    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        return KeyFile.privateKey(file);
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
