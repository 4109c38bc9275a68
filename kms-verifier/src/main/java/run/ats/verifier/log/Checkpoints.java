package run.ats.verifier.log;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import run.ats.verifier.VerifierProperties;

import java.security.KeyPair;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Signs checkpoints with the log's Ed25519 key, one for all replicas: from the file
 * {@code ats.verifier.log-key-file} names (a mounted secret), or, without that setting, kept in
 * the database as older versions did (then whoever can read the database can sign checkpoints:
 * a warning at start says so). The key name in the signature line is the log's origin, as C2SP logs do.
 */
@Component
public final class Checkpoints {

    private record Signed(long size, String note) {
    }

    private final Mono<KeyPair> key;
    private final TransparencyLog log;
    private final String origin;
    private final AtomicReference<Signed> latest = new AtomicReference<>(new Signed(-1, ""));

    Checkpoints(DatabaseClient db, Clock clock, TransparencyLog log, VerifierProperties properties) {
        this.key = properties.logKeyFile() == null ? LogKey.inDatabase(db, clock) : LogKey.fromFile(properties.logKeyFile(), db);
        this.log = log;
        this.origin = properties.logOrigin();
    }

    public String origin() {
        return origin;
    }

    /** The key auditors pin, in the signed-note verifier key format. */
    public Mono<String> verifierKey() {
        return key.map(pair -> Checkpoint.verifierKey(origin, pair.getPublic()));
    }

    /** A signed checkpoint of the log as it is now. */
    public Mono<String> current() {
        return log.head().flatMap(this::sign);
    }

    /** A signed checkpoint of {@code head}; the latest one is kept, so polling costs no signature. */
    public Mono<String> sign(TransparencyLog.Head head) {
        Signed cached = latest.get();
        if (cached.size() == head.size()) {
            return Mono.just(cached.note());
        }
        return key.map(pair -> {
            String note = new Checkpoint(origin, head.size(), head.root()).sign(origin, pair.getPrivate(), pair.getPublic());
            latest.accumulateAndGet(new Signed(head.size(), note), (old, fresh) -> fresh.size() > old.size() ? fresh : old);
            return note;
        });
    }
}
