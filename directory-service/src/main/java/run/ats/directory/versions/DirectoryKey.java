package run.ats.directory.versions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import run.ats.protocol.crypto.Ed25519;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

/**
 * The Ed25519 key that signs every directory version, kept in the database so that every
 * replica signs with the same key and relays can pin one public key. Made by whichever replica
 * starts first; the others read it.
 */
@Component
public final class DirectoryKey {

    private static final Logger log = LoggerFactory.getLogger(DirectoryKey.class);
    private final DatabaseClient db;
    private final Clock clock;
    private final Mono<KeyPair> keys;

    DirectoryKey(DatabaseClient db, Clock clock) {
        this.db = db;
        this.clock = clock;
        // Cached once made or read; a failure (say the database is down at start) is tried again.
        this.keys = load().switchIfEmpty(Mono.defer(this::create))
                .cache(made -> Duration.ofMillis(Long.MAX_VALUE), failed -> Duration.ZERO, () -> Duration.ZERO);
    }

    public Mono<KeyPair> keyPair() {
        return keys;
    }

    /** The public key relays pin: raw 32 bytes, base64url without padding. */
    public Mono<String> publicKey() {
        return keys.map(pair -> Base64.getUrlEncoder().withoutPadding().encodeToString(Ed25519.raw(pair.getPublic())));
    }

    private Mono<KeyPair> load() {
        return db.sql("SELECT private_key, public_key FROM directory_key WHERE id = 1")
                .map((row, meta) -> decode(row.get("private_key", String.class), row.get("public_key", String.class)))
                .one();
    }

    private Mono<KeyPair> create() {
        // Key generation reads the system's entropy source: not on an event loop.
        return Mono.fromCallable(() -> KeyPairGenerator.getInstance("Ed25519").generateKeyPair())
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(this::store);
    }

    private Mono<KeyPair> store(KeyPair pair) {
        return db.sql("INSERT INTO directory_key (id, private_key, public_key, created_ms) VALUES (1, :private, :public, :created)")
                .bind("private", Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()))
                .bind("public", Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()))
                .bind("created", clock.millis())
                .then()
                .doOnSuccess(done -> log.info("Created the directory signing key"))
                // Another replica made it first: use that one.
                .onErrorResume(DataIntegrityViolationException.class, raced -> Mono.empty())
                .then(load());
    }

    private static KeyPair decode(String privateKey, String publicKey) {
        try {
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            return new KeyPair(
                    factory.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(publicKey))),
                    factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(privateKey))));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the directory key in the database is not an Ed25519 key pair", e);
        }
    }
}
