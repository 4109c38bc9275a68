package run.ats.verifier.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import run.ats.support.keys.StoredKeyPair;
import run.ats.verifier.keys.KeyFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;

/** Where the log's checkpoint key comes from: a file (a mounted secret), or the database as before. */
final class LogKey {

    private static final Logger log = LoggerFactory.getLogger(LogKey.class);

    private LogKey() {
    }

    /**
     * The key in {@code file}; made there (0600) if the file is absent, unless the database holds a
     * key from an older version: a new key would break every auditor's pin, so that fails, saying
     * what to do instead. Read on first use (after the migrations), off the event loops, then kept;
     * a failure is not kept, so a fixed file is read at the next use.
     */
    static Mono<KeyPair> fromFile(Path file, DatabaseClient db) {
        Mono<KeyPair> read = Mono.fromCallable(() -> KeyFile.read(file))
                .doOnNext(pair -> log.info("The log's signing key is read from {}", file));
        Mono<KeyPair> make = db.sql("SELECT count(id) AS n FROM log_key").map((row, meta) -> row.get("n", Long.class)).one()
                .flatMap(stored -> stored > 0
                        ? Mono.error(new IllegalStateException("The log's signing key is in the database (table log_key, made by an "
                        + "older version) and " + file + " does not exist. A new key would break every auditor's pin: export the "
                        + "stored key to " + file + " first (docs/operations.md, \"The log's signing key\")."))
                        : Mono.fromCallable(() -> KeyFile.create(file)).subscribeOn(Schedulers.boundedElastic())
                        .doOnNext(pair -> log.info("Created the log's signing key in {} (owner-only); with several replicas, "
                                + "give every one this file", file)));
        return Mono.fromCallable(() -> Files.exists(file))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(exists -> exists ? read : make)
                .cache(pair -> Duration.ofMillis(Long.MAX_VALUE), failed -> Duration.ZERO, () -> Duration.ZERO);
    }

    /** The older way: the key in the database, made by the first replica. Whoever reads the database can sign. */
    static Mono<KeyPair> inDatabase(DatabaseClient db, Clock clock) {
        log.warn("The log's signing key is kept in the database: anyone who can read it can sign checkpoints. "
                + "Set ats.verifier.log-key-file (docs/operations.md).");
        return new StoredKeyPair(db, clock, "log_key", "transparency log signing key").keyPair();
    }
}
