package run.ats.support.keys;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

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
 * A service's Ed25519 signing key kept in its database, so that every replica signs with the
 * same key and its users can pin one public key. Made by whichever replica starts first; the
 * others read it. The table has the columns {@code id} (always 1), {@code private_key},
 * {@code public_key} (base64 PKCS#8 and X.509) and {@code created_ms}.
 */
public final class StoredKeyPair {

    private static final Logger log = LoggerFactory.getLogger(StoredKeyPair.class);
    private final DatabaseClient db;
    private final Clock clock;
    private final String table;
    private final String purpose;
    private final Mono<KeyPair> keys;

    /** {@code table} is a constant of the calling service, never user input. */
    public StoredKeyPair(DatabaseClient db, Clock clock, String table, String purpose) {
        if (!table.matches("[a-z_]+")) {
            throw new IllegalArgumentException("table name " + table);
        }
        this.db = db;
        this.clock = clock;
        this.table = table;
        this.purpose = purpose;
        // Cached once made or read; a failure (say the database is down at start) is tried again.
        this.keys = load().switchIfEmpty(Mono.defer(this::create))
                .cache(made -> Duration.ofMillis(Long.MAX_VALUE), failed -> Duration.ZERO, () -> Duration.ZERO);
    }

    public Mono<KeyPair> keyPair() {
        return keys;
    }

    private Mono<KeyPair> load() {
        return db.sql("SELECT private_key, public_key FROM " + table + " WHERE id = 1")
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
        return db.sql("INSERT INTO " + table + " (id, private_key, public_key, created_ms) VALUES (1, :private, :public, :created)")
                .bind("private", Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()))
                .bind("public", Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()))
                .bind("created", clock.millis())
                .then()
                .doOnSuccess(done -> log.info("Created the {}", purpose))
                // Another replica made it first: use that one.
                .onErrorResume(DataIntegrityViolationException.class, raced -> Mono.empty())
                .then(load());
    }

    private KeyPair decode(String privateKey, String publicKey) {
        try {
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            return new KeyPair(
                    factory.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(publicKey))),
                    factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(privateKey))));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the " + purpose + " in the database is not an Ed25519 key pair", e);
        }
    }
}
