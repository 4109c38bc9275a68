package run.ats.directory.versions;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import run.ats.directory.DirectoryProperties;
import run.ats.directory.relays.RelayRegistry;
import run.ats.protocol.directory.Directory;
import run.ats.protocol.directory.InvalidDirectoryException;
import run.ats.protocol.directory.SignedDirectory;

import java.security.KeyPair;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Issues directory versions and serves the newest. Every {@code publish-interval} each replica
 * takes the settings row's lock (so replicas issue one after another, never the same number
 * twice), computes the directory from the relays' health, and issues version n+1 only if it
 * says something new. Then it reads the newest version, whoever issued it, and hands it to the
 * stream's subscribers.
 */
@Component
public final class Versions {

    private static final Logger log = LoggerFactory.getLogger(Versions.class);

    private final DatabaseClient db;
    private final TransactionalOperator transactions;
    private final RelayRegistry relays;
    private final DirectoryKey key;
    private final Clock clock;
    private final AtomicReference<SignedDirectory> newest = new AtomicReference<>();
    private final Sinks.Many<SignedDirectory> changes = Sinks.many().replay().latest();
    private final Mono<Void> settingsReady;

    Versions(DatabaseClient db, TransactionalOperator transactions, RelayRegistry relays, DirectoryKey key, Clock clock,
             DirectoryProperties properties, MeterRegistry meters) {
        this.db = db;
        this.transactions = transactions;
        this.relays = relays;
        this.key = key;
        this.clock = clock;
        // What the newest version says, for alerts on relays that stopped answering (weight 0).
        Gauge.builder("ats.directory.relays", () -> relaysWith(true)).tag("state", "answering")
                .description("Relays in the newest directory version with a weight above 0").register(meters);
        Gauge.builder("ats.directory.relays", () -> relaysWith(false)).tag("state", "silent")
                .description("Relays in the newest directory version with weight 0 (no recent heartbeat)").register(meters);
        Gauge.builder("ats.directory.version", () -> newest.get() == null ? 0 : newest.get().directory().version())
                .description("The newest directory version this replica knows").register(meters);
        // The first replica to start sets N; later ones keep what is stored (an operator may have changed it).
        this.settingsReady = db.sql("INSERT INTO directory_settings (id, roots_per_tree) VALUES (1, :n)")
                .bind("n", properties.rootsPerTree())
                .then()
                .onErrorResume(DataIntegrityViolationException.class, exists -> Mono.empty())
                .cache();
    }

    /** The newest version this replica knows; empty before the first. */
    public Mono<SignedDirectory> newest() {
        return Mono.justOrEmpty(newest.get());
    }

    private long relaysWith(boolean answering) {
        SignedDirectory known = newest.get();
        return known == null ? 0 : known.directory().relays().stream().filter(r -> (r.weight() > 0) == answering).count();
    }

    /** The newest version, then every newer one. */
    public Flux<SignedDirectory> stream() {
        return changes.asFlux();
    }

    /** Sets N; the next version carries it. */
    public Mono<Void> setRootsPerTree(int n) {
        return settingsReady.then(db.sql("UPDATE directory_settings SET roots_per_tree = :n WHERE id = 1").bind("n", n).then());
    }

    @Scheduled(fixedDelayString = "${ats.directory.publish-interval:1s}")
    Mono<Void> tick() {
        return settingsReady
                .then(transactions.transactional(issueIfChanged()))
                .then(refresh())
                .onErrorResume(error -> {
                    log.warn("Could not issue or read directory versions: {}", error.toString());
                    return Mono.empty();
                });
    }

    private Mono<Void> issueIfChanged() {
        long now = clock.millis();
        Mono<Integer> lockedN = db.sql("SELECT roots_per_tree FROM directory_settings WHERE id = 1 FOR UPDATE")
                .map((row, meta) -> row.get("roots_per_tree", Integer.class))
                .one();
        return lockedN.flatMap(n -> Mono.zip(relays.entries(now).collectList(), latestStored().map(java.util.Optional::of)
                                .defaultIfEmpty(java.util.Optional.empty()), key.keyPair())
                .flatMap(t -> {
                    var latest = t.getT2();
                    long version = latest.map(s -> s.directory().version() + 1).orElse(1L);
                    Directory next = new Directory(version, now, n, t.getT1());
                    // Same content is not new, unless another key signed it (the key moved to a secret):
                    // relays pinning this key would refuse that version until the directory changed.
                    if (latest.isPresent() && latest.get().directory().sameContent(next) && signedWith(latest.get(), t.getT3())) {
                        return Mono.empty();
                    }
                    SignedDirectory signed = SignedDirectory.sign(next, t.getT3().getPrivate());
                    return db.sql("INSERT INTO directory_versions (version, issued_ms, signed_json) VALUES (:v, :at, :json)")
                            .bind("v", version)
                            .bind("at", now)
                            .bind("json", signed.toJson())
                            .then()
                            .doOnSuccess(done -> log.info("Issued directory version {} ({} relays, {} roots per tree)",
                                    version, next.relays().size(), n));
                }));
    }

    private Mono<Void> refresh() {
        return latestStored()
                .doOnNext(latest -> {
                    SignedDirectory known = newest.get();
                    if (known == null || latest.directory().version() > known.directory().version()) {
                        newest.set(latest);
                        changes.tryEmitNext(latest);
                    }
                })
                .then();
    }

    /**
     * The newest stored version. Every tick asks (twice); only the number is read unless it is
     * one this replica has not parsed yet, so a quiet directory costs two small queries a tick.
     */
    private Mono<SignedDirectory> latestStored() {
        return db.sql("SELECT MAX(version) AS version FROM directory_versions")
                .map((row, meta) -> java.util.Optional.ofNullable(row.get("version", Long.class)))
                .one()
                .flatMap(max -> {
                    SignedDirectory known = newest.get();
                    if (max.isEmpty()) {
                        return Mono.empty();
                    }
                    if (known != null && known.directory().version() == max.get()) {
                        return Mono.just(known);
                    }
                    return db.sql("SELECT signed_json FROM directory_versions WHERE version = :v")
                            .bind("v", max.get())
                            .map((row, meta) -> row.get("signed_json", String.class))
                            .one()
                            .map(Versions::parse);
                });
    }

    private static boolean signedWith(SignedDirectory version, KeyPair key) {
        try {
            version.verifiedWith(key.getPublic());
            return true;
        } catch (InvalidDirectoryException e) {
            return false;
        }
    }

    private static SignedDirectory parse(String json) {
        try {
            return SignedDirectory.parse(json);
        } catch (InvalidDirectoryException e) {
            throw new IllegalStateException("a stored directory version does not parse: " + e.getMessage(), e);
        }
    }
}
