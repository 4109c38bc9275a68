package run.ats.main.session;

import com.nimbusds.jwt.JWTClaimsSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import run.ats.main.MainProperties;
import run.ats.main.keys.SigningKeys;
import run.ats.main.secret.Secrets;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Access tokens (ES256 JWT, {@code aud=ats-main}) and rotating refresh tokens. A refresh token
 * works once; presenting a spent one means it was copied, so its whole family is revoked.
 */
@Component
public final class SessionTokens {

    public static final String AUDIENCE = "ats-main";
    private static final Logger log = LoggerFactory.getLogger(SessionTokens.class);

    private final DatabaseClient db;
    private final SigningKeys keys;
    private final SecureRandom random;
    private final Clock clock;
    private final MainProperties properties;

    SessionTokens(DatabaseClient db, SigningKeys keys, SecureRandom random, Clock clock,
                  MainProperties properties) {
        this.db = db;
        this.keys = keys;
        this.random = random;
        this.clock = clock;
        this.properties = properties;
    }

    /** A new session (a new refresh-token family) for a freshly signed-in account. */
    public Mono<TokenPair> start(UUID accountId) {
        return issue(accountId, Secrets.uuid(random));
    }

    /** Spends {@code refreshToken} and answers the next pair in its family. */
    public Mono<TokenPair> refresh(String refreshToken) {
        String hash = Secrets.sha256(refreshToken);
        long now = clock.millis();
        // No transaction: the conditional UPDATE in spend() decides races, and a reuse must
        // leave its family revoked even though the request fails.
        return db.sql("SELECT family_id, account_id, expires_ms, spent_ms, revoked_ms FROM refresh_tokens WHERE token_hash = :hash")
                .bind("hash", hash)
                .map((row, meta) -> new StoredRefresh(row.get("family_id", UUID.class), row.get("account_id", UUID.class),
                        row.get("expires_ms", Long.class), row.get("spent_ms", Long.class), row.get("revoked_ms", Long.class)))
                .one()
                .switchIfEmpty(Mono.error(() -> new RefreshRejected("unknown", "This refresh token is not known.")))
                .flatMap(stored -> {
                    if (stored.revokedMs() != null) {
                        return Mono.error(new RefreshRejected("revoked", "This session has ended; sign in again."));
                    }
                    if (stored.spentMs() != null) {
                        return reused(stored.familyId(), now);
                    }
                    if (stored.expiresMs() <= now) {
                        return Mono.error(new RefreshRejected("expired", "This refresh token has expired; sign in again."));
                    }
                    return spend(hash, now).flatMap(won -> won
                            ? issue(stored.accountId(), stored.familyId())
                            // Someone spent it between our read and our write: a reuse like any other.
                            : reused(stored.familyId(), now));
                });
    }

    /** Ends the session of {@code refreshToken}: its whole family. Unknown tokens end nothing, quietly. */
    public Mono<Void> logout(String refreshToken) {
        long now = clock.millis();
        return db.sql("SELECT family_id FROM refresh_tokens WHERE token_hash = :hash")
                .bind("hash", Secrets.sha256(refreshToken))
                .map((row, meta) -> row.get("family_id", UUID.class))
                .one()
                .flatMap(family -> revokeFamily(family, now));
    }

    private Mono<TokenPair> issue(UUID accountId, UUID familyId) {
        Instant now = clock.instant();
        String refreshToken = Secrets.random(random, 32);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(properties.issuer())
                .audience(AUDIENCE)
                .subject(accountId.toString())
                .jwtID(Secrets.random(random, 16))
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(properties.tokens().accessTtl())))
                .build();
        Mono<Void> store = db.sql("INSERT INTO refresh_tokens (token_hash, family_id, account_id, created_ms, expires_ms) "
                        + "VALUES (:hash, :family, :account, :created, :expires)")
                .bind("hash", Secrets.sha256(refreshToken))
                .bind("family", familyId)
                .bind("account", accountId)
                .bind("created", now.toEpochMilli())
                .bind("expires", now.plus(properties.tokens().refreshTtl()).toEpochMilli())
                .then();
        return store.then(keys.current())
                .map(key -> new TokenPair(key.sign(claims, random), refreshToken, properties.tokens().accessTtl().toSeconds()));
    }

    /** True when this call spent the token; false when another request spent it first. */
    private Mono<Boolean> spend(String hash, long now) {
        return db.sql("UPDATE refresh_tokens SET spent_ms = :now WHERE token_hash = :hash AND spent_ms IS NULL AND revoked_ms IS NULL")
                .bind("now", now)
                .bind("hash", hash)
                .fetch()
                .rowsUpdated()
                .map(rows -> rows == 1);
    }

    /** A spent token came back: someone holds a copy. End the whole session. */
    private Mono<TokenPair> reused(UUID familyId, long now) {
        return revokeFamily(familyId, now).then(Mono.error(new RefreshRejected("reused",
                "This refresh token was already used; the session is revoked. Sign in again.")));
    }

    private Mono<Void> revokeFamily(UUID familyId, long now) {
        return db.sql("UPDATE refresh_tokens SET revoked_ms = :now WHERE family_id = :family AND revoked_ms IS NULL")
                .bind("now", now)
                .bind("family", familyId)
                .fetch()
                .rowsUpdated()
                .doOnNext(rows -> log.info("Revoked a refresh-token family ({} tokens)", rows))
                .then();
    }

    private record StoredRefresh(UUID familyId, UUID accountId, long expiresMs, Long spentMs, Long revokedMs) {
    }
}
