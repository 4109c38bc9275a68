package run.ats.main.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import run.ats.main.MainProperties;

import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ES256 keys that sign every token, stored in the database so that they survive restarts
 * and every replica shares them. The newest key signs; the newest two verify and are published
 * in the JWKS, so a rotation logs nobody out. Replicas reread the keys every
 * {@code ats.main.tokens.key-reload-interval}, and at once when they meet an unknown {@code kid}.
 */
@Component
public final class SigningKeys {

    private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);
    private static final int PUBLISHED = 2;

    private final DatabaseClient db;
    private final Clock clock;
    private final SecureRandom random;
    private final MainProperties properties;
    private final AtomicReference<Mono<List<SigningKey>>> keys = new AtomicReference<>();

    SigningKeys(DatabaseClient db, Clock clock, SecureRandom random, MainProperties properties) {
        this.db = db;
        this.clock = clock;
        this.random = random;
        this.properties = properties;
        reload();
    }

    /** The key that signs now. */
    public Mono<SigningKey> current() {
        return keys.get().map(List::getFirst);
    }

    /** The verification key for {@code kid}, rereading the store once if it is not known yet. */
    public Mono<JWK> verificationKey(String kid) {
        return find(kid).switchIfEmpty(Mono.defer(() -> {
            reload();
            return find(kid);
        }));
    }

    /** The JWKS document: the public halves of the published keys. */
    public Mono<Map<String, Object>> jwks() {
        return keys.get().map(list -> Map.of("keys", list.stream()
                .map(k -> k.jwk().toPublicJWK().toJSONObject())
                .toList()));
    }

    /** Adds a new newest key; the old newest stays published as the previous key. */
    public Mono<SigningKey> rotate() {
        return insert(generate())
                .doOnNext(k -> log.info("Signing key rotated; new kid {}", k.kid()))
                .doOnSuccess(k -> reload());
    }

    private Mono<JWK> find(String kid) {
        return keys.get().flatMap(list -> Mono.justOrEmpty(list.stream()
                .filter(k -> k.kid().equals(kid))
                .map(k -> (JWK) k.jwk().toPublicJWK())
                .findFirst()));
    }

    private void reload() {
        keys.set(loadOrCreate().cache(
                list -> properties.tokens().keyReloadInterval(),
                error -> java.time.Duration.ZERO,
                () -> java.time.Duration.ZERO));
    }

    private Mono<List<SigningKey>> loadOrCreate() {
        return load().flatMap(list -> list.isEmpty()
                ? insert(generate()).then(load())
                : Mono.just(list));
    }

    private Mono<List<SigningKey>> load() {
        return db.sql("SELECT kid, jwk, created_ms FROM signing_keys ORDER BY created_ms DESC, kid LIMIT " + PUBLISHED)
                .map((row, meta) -> parse(row.get("kid", String.class), row.get("jwk", String.class),
                        row.get("created_ms", Long.class)))
                .all()
                .collectList();
    }

    private Mono<SigningKey> insert(SigningKey key) {
        return db.sql("INSERT INTO signing_keys (kid, jwk, created_ms) VALUES (:kid, :jwk, :created)")
                .bind("kid", key.kid())
                .bind("jwk", key.jwk().toJSONString())
                .bind("created", key.createdMs())
                .then()
                .thenReturn(key);
    }

    private SigningKey generate() {
        try {
            ECKey generated = new ECKeyGenerator(Curve.P_256).secureRandom(random).generate();
            String kid = generated.computeThumbprint().toString();
            ECKey key = new ECKey.Builder(generated).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).build();
            return new SigningKey(kid, key, clock.millis());
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate an ES256 key", e);
        }
    }

    private static SigningKey parse(String kid, String json, Long createdMs) {
        try {
            return new SigningKey(kid, ECKey.parse(json), createdMs);
        } catch (ParseException e) {
            throw new IllegalStateException("signing key " + kid + " in the database is not a valid EC JWK", e);
        }
    }
}
