package run.ats.directory.versions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import run.ats.directory.DirectoryProperties;
import run.ats.protocol.crypto.Ed25519;
import run.ats.support.keys.StoredKeyPair;

import java.security.KeyPair;
import java.time.Clock;
import java.util.Base64;

/**
 * The Ed25519 key that signs every directory version, one for all replicas: {@code ats.directory.signing-key}
 * (a secret, so relays and brokers can pin its public key before the directory first runs), else one made
 * at first start and kept in the database.
 */
@Component
public final class DirectoryKey {

    private static final Logger log = LoggerFactory.getLogger(DirectoryKey.class);
    private final Mono<KeyPair> keys;

    DirectoryKey(DatabaseClient db, Clock clock, DirectoryProperties properties) {
        if (properties.signingKey() != null && !properties.signingKey().isBlank()) {
            KeyPair given = SigningKeyPem.parse(properties.signingKey());
            log.info("Signing directory versions with the key from ats.directory.signing-key, public key {}", encoded(given));
            this.keys = Mono.just(given);
        } else {
            this.keys = new StoredKeyPair(db, clock, "directory_key", "directory signing key").keyPair();
        }
    }

    public Mono<KeyPair> keyPair() {
        return keys;
    }

    /** The public key relays pin: raw 32 bytes, base64url without padding. */
    public Mono<String> publicKey() {
        return keys.map(DirectoryKey::encoded);
    }

    private static String encoded(KeyPair pair) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Ed25519.raw(pair.getPublic()));
    }
}
