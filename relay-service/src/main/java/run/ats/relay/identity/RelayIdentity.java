package run.ats.relay.identity;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import run.ats.protocol.relay.RelayId;
import run.ats.relay.RelayProperties;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * The relay's Ed25519 key pair and the id derived from it. Read (or made) once at start, from
 * the key file: two base64 lines, the PKCS#8 private key and the X.509 public key, mode 0600.
 */
@Component
public final class RelayIdentity {

    private static final Logger log = LoggerFactory.getLogger(RelayIdentity.class);

    private final KeyPair keys;
    private final String relayId;

    RelayIdentity(RelayProperties properties) {
        Path file = properties.keyFile().toAbsolutePath();
        this.keys = Files.exists(file) ? read(file) : create(file);
        this.relayId = RelayId.of(keys.getPublic());
        log.info("Relay id {} (key file {})", relayId, file);
    }

    public String relayId() {
        return relayId;
    }

    /** The key pair, for signing what the relay sends the main server, the directory and peers. */
    public KeyPair keys() {
        return keys;
    }

    private static KeyPair create(Path file) {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            Path parent = file.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            String text = Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n"
                    + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()) + "\n";
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text, StandardCharsets.US_ASCII);
            log.info("Created a new relay key in {}", file);
            return pair;
        } catch (FileAlreadyExistsException raced) {
            return read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the relay key file " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make Ed25519 keys", e);
        }
    }

    private static KeyPair read(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
            if (lines.size() < 2) {
                throw new IllegalStateException("relay key file " + file + " must hold two base64 lines (private, public)");
            }
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(lines.get(0).strip())));
            PublicKey publicKey = factory.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(lines.get(1).strip())));
            return new KeyPair(publicKey, privateKey);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the relay key file " + file, e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("relay key file " + file + " is not a valid Ed25519 key pair", e);
        }
    }
}
