package run.ats.main.relays;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import run.ats.main.MainProperties;
import run.ats.main.secret.ReadableCode;
import run.ats.main.secret.Secrets;
import run.ats.support.web.ApiProblem;
import run.ats.protocol.directory.Directory;
import run.ats.protocol.directory.DirectoryEntry;
import run.ats.protocol.relay.Enrollment;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Enrollment and claims. A relay proves its key and gets a claim code (stored only as a hash,
 * 12 readable characters, about 59 bits); the person who types the code claims it: the relay is
 * registered with the directory, then recorded as theirs, once. A relay restarting before it is
 * claimed gets a new code, which replaces the old one.
 */
@Component
final class RelayClaims {

    static final ReadableCode CLAIM_CODE = new ReadableCode(12);
    /** How far an enrollment's own clock may be from ours. */
    static final Duration ENROLLMENT_SKEW = Duration.ofMinutes(5);

    /** What a relay learns when it enrolls. */
    record Enrolled(String relayId, boolean claimed, String claimCode, String claimUrl, Long expiresAt) {
    }

    /** What the claimer learns: the relay's public name, and where clients reach it (through the broker if one is configured). */
    record Claimed(String relayId, String name, String publicUrl) {
    }

    /** One of a person's relays, with what the directory says of it. */
    record Owned(String relayId, String name, String publicUrl, long claimedAt, String status) {
    }

    private final DatabaseClient db;
    private final TransactionalOperator tx;
    private final DirectoryClient directory;
    private final NameBook names;
    private final SecureRandom random;
    private final Clock clock;
    private final MainProperties properties;

    RelayClaims(DatabaseClient db, TransactionalOperator tx, DirectoryClient directory, NameBook names, SecureRandom random,
                Clock clock, MainProperties properties) {
        this.db = db;
        this.tx = tx;
        this.directory = directory;
        this.names = names;
        this.random = random;
        this.clock = clock;
        this.properties = properties;
    }

    Mono<Enrolled> enroll(Enrollment enrollment) {
        long now = clock.millis();
        String relayId;
        try {
            relayId = enrollment.verifiedRelayId();
            // Checks the URL and that the id is the key's.
            new DirectoryEntry(relayId, enrollment.publicKey(), enrollment.url(), 0);
        } catch (IllegalArgumentException e) {
            return Mono.error(ApiProblem.badRequest("bad-enrollment", e.getMessage()));
        }
        if (Math.abs(now - enrollment.sentAt()) > ENROLLMENT_SKEW.toMillis()) {
            return Mono.error(ApiProblem.badRequest("stale-enrollment", "sentAt is more than "
                    + ENROLLMENT_SKEW.toMinutes() + " minutes from the server's clock; check the relay's clock."));
        }
        return db.sql("SELECT relay_id FROM relays WHERE relay_id = :id").bind("id", relayId)
                .map((row, meta) -> row.get("relay_id", String.class)).one()
                .map(claimed -> new Enrolled(relayId, true, null, null, null))
                .switchIfEmpty(Mono.defer(() -> newCode(relayId, enrollment, now)));
    }

    private Mono<Enrolled> newCode(String relayId, Enrollment enrollment, long now) {
        String code = CLAIM_CODE.generate(random);
        long expires = now + properties.relays().claimCodeTtl().toMillis();
        Mono<Void> replace = db.sql("DELETE FROM relay_enrollments WHERE relay_id = :id").bind("id", relayId).then()
                .then(db.sql("INSERT INTO relay_enrollments (relay_id, public_key, url, code_hash, created_ms, expires_ms) "
                                + "VALUES (:id, :key, :url, :hash, :now, :expires)")
                        .bind("id", relayId)
                        .bind("key", enrollment.publicKey())
                        .bind("url", enrollment.url())
                        .bind("hash", Secrets.sha256(code))
                        .bind("now", now)
                        .bind("expires", expires)
                        .then());
        String shown = CLAIM_CODE.display(code);
        return tx.transactional(replace)
                .onErrorMap(DataIntegrityViolationException.class, raced -> ApiProblem.of(HttpStatus.CONFLICT,
                        "enrollment-in-progress", "Enrollment in progress", "Another enrollment of this relay is being made; try again."))
                .thenReturn(new Enrolled(relayId, false, shown, properties.issuer() + "/relays/claim#code=" + shown, expires));
    }

    Mono<Claimed> claim(UUID owner, String typed) {
        Optional<String> code = CLAIM_CODE.normalize(typed);
        if (code.isEmpty()) {
            return Mono.error(ApiProblem.badRequest("malformed-claim-code", "A claim code is 12 characters, like ABCD-EFGH-JKMN."));
        }
        String hash = Secrets.sha256(code.get());
        long now = clock.millis();
        record Pending(String relayId, String publicKey, String url) {
        }
        return db.sql("SELECT relay_id, public_key, url FROM relay_enrollments WHERE code_hash = :hash AND expires_ms > :now")
                .bind("hash", hash)
                .bind("now", now)
                .map((row, meta) -> new Pending(row.get("relay_id", String.class), row.get("public_key", String.class),
                        row.get("url", String.class)))
                .one()
                .switchIfEmpty(Mono.error(() -> ApiProblem.of(HttpStatus.NOT_FOUND, "no-such-claim-code", "No such claim code",
                        "No relay shows this code, or it expired. Restart the relay for a new one.")))
                .flatMap(pending -> names.nameFor(pending.relayId())
                        .flatMap(name -> directory.publicUrl(name, pending.url())
                                .onErrorMap(e -> ApiProblem.of(HttpStatus.SERVICE_UNAVAILABLE, "broker-unavailable", "Broker unavailable",
                                        "The tunnel broker could not be asked for the relay's address just now; the code still works, try again."))
                                .flatMap(url -> directory.register(pending.publicKey(), url, name)
                                        .onErrorMap(e -> !(e instanceof ApiProblem), e -> ApiProblem.of(HttpStatus.SERVICE_UNAVAILABLE,
                                                "directory-unavailable", "Directory unavailable",
                                                "The relay could not be registered with the directory just now; the code still works, try again."))
                                        .then(tx.transactional(record(owner, pending.relayId(), pending.publicKey(), url, name, hash, now)))
                                        .thenReturn(new Claimed(pending.relayId(), name, url)))));
    }

    /** The enrollment goes (the code worked once) and the relay becomes the owner's. */
    private Mono<Void> record(UUID owner, String relayId, String publicKey, String url, String name, String hash, long now) {
        return db.sql("DELETE FROM relay_enrollments WHERE relay_id = :id AND code_hash = :hash")
                .bind("id", relayId)
                .bind("hash", hash)
                .fetch().rowsUpdated()
                .flatMap(deleted -> deleted == 0 ? Mono.error(alreadyClaimed()) : db.sql(
                                "INSERT INTO relays (relay_id, owner_id, public_key, url, name, claimed_ms) VALUES (:id, :owner, :key, :url, :name, :now)")
                        .bind("id", relayId)
                        .bind("name", name)
                        .bind("owner", owner)
                        .bind("key", publicKey)
                        .bind("url", url)
                        .bind("now", now)
                        .then())
                .onErrorMap(DataIntegrityViolationException.class, e -> alreadyClaimed());
    }

    Flux<Owned> owned(UUID owner) {
        Mono<Optional<Directory>> newest = directory.newest().map(Optional::of)
                .onErrorResume(unreachable -> Mono.just(Optional.empty()))
                .defaultIfEmpty(Optional.empty())
                .cache();
        return db.sql("SELECT relay_id, name, url, claimed_ms FROM relays WHERE owner_id = :owner ORDER BY claimed_ms, relay_id")
                .bind("owner", owner)
                .map((row, meta) -> new Owned(row.get("relay_id", String.class), row.get("name", String.class),
                        row.get("url", String.class), row.get("claimed_ms", Long.class), "unknown"))
                .all()
                .concatMap(relay -> newest.map(version -> new Owned(relay.relayId(), relay.name(), relay.publicUrl(), relay.claimedAt(),
                        version.flatMap(d -> d.relay(relay.relayId()))
                                .map(entry -> entry.weight() > 0 ? "answering" : "not-answering")
                                .orElse("unknown"))));
    }

    private static ApiProblem alreadyClaimed() {
        return ApiProblem.of(HttpStatus.CONFLICT, "already-claimed", "Already claimed", "This relay has been claimed already.");
    }
}
