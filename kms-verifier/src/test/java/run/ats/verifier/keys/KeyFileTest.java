package run.ats.verifier.keys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import run.ats.protocol.crypto.Ed25519;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Key files: made owner-only, read back; a plain PKCS#8 PEM (openssl, a chart's Secret) is read too. */
class KeyFileTest {

    @Test
    void aMadeKeyIsOwnerOnlyAndReadsBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("log-key.pem");
        KeyPair made = KeyFile.create(file);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        KeyPair read = KeyFile.read(file);
        assertThat(read.getPublic().getEncoded()).isEqualTo(made.getPublic().getEncoded());
        assertThat(Ed25519.verify(read.getPublic(), new byte[]{1}, Ed25519.sign(read.getPrivate(), new byte[]{1}))).isTrue();
        assertThatThrownBy(() -> KeyFile.create(file)).isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    }

    @Test
    void aPlainPkcs8KeyHasItsPublicKeyDerived(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 20; i++) {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            Path file = dir.resolve("plain-" + i + ".pem");
            Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            assertThat(KeyFile.read(file).getPublic().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
        }
    }

    @Test
    void aPublicLineOfAnotherKeyIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mixed.pem");
        KeyFile.create(file);
        String other = Base64.getEncoder().encodeToString(Ed25519.raw(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic()));
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        Files.writeString(file, text.replaceAll("# public .*", "# public " + other));
        assertThatThrownBy(() -> KeyFile.read(file)).isInstanceOf(IOException.class).hasMessageContaining("not the private key's");
    }
}
