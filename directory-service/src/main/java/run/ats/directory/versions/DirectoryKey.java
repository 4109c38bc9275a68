package run.ats.directory.versions;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import run.ats.protocol.crypto.Ed25519;
import run.ats.support.keys.StoredKeyPair;

import java.security.KeyPair;
import java.time.Clock;
import java.util.Base64;

/** The Ed25519 key that signs every directory version, one for all replicas (kept in the database). */
@Component
public final class DirectoryKey {

    private final StoredKeyPair keys;

    DirectoryKey(DatabaseClient db, Clock clock) {
        this.keys = new StoredKeyPair(db, clock, "directory_key", "directory signing key");
    }

    public Mono<KeyPair> keyPair() {
        return keys.keyPair();
    }

    /** The public key relays pin: raw 32 bytes, base64url without padding. */
    public Mono<String> publicKey() {
        return keys.keyPair().map(pair -> Base64.getUrlEncoder().withoutPadding().encodeToString(Ed25519.raw(pair.getPublic())));
    }
}
