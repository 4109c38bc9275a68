package run.ats.verifier.release;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import run.ats.protocol.crypto.Ed25519;
import run.ats.support.web.ApiProblem;
import run.ats.verifier.VerifierProperties;
import run.ats.verifier.log.TransparencyLog;

import java.security.PublicKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Releases and deprecations: checked (a configured release key signed it; the rules in
 * {@link Statement}), appended to the log and indexed for lookup by version and by file hash,
 * in one transaction.
 */
@Component
public final class Releases {

    /** Where a statement landed: its leaf and the log right after it. */
    public record Logged(String version, long leafIndex, TransparencyLog.Head head) {
    }

    private record Row(String version, String sourceCommit, long leafIndex, Long deprecatedIndex, String deprecatedReason,
                       String path, String integrity) {
    }

    private final DatabaseClient db;
    private final TransparencyLog log;
    private final List<PublicKey> releaseKeys;

    Releases(DatabaseClient db, TransparencyLog log, VerifierProperties properties) {
        this.db = db;
        this.log = log;
        this.releaseKeys = properties.releaseKeys().stream().filter(key -> !key.isBlank()).map(Releases::releaseKey).toList();
    }

    private static PublicKey releaseKey(String base64) {
        try {
            return Ed25519.publicKey(Base64.getDecoder().decode(base64.trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ats.verifier.release-keys: '" + base64 + "' is not a base64 raw Ed25519 key", e);
        }
    }

    public int releaseKeyCount() {
        return releaseKeys.size();
    }

    public Mono<Logged> register(SignedStatement signed) {
        Statement.Release release = checked(signed, Statement.Release.class);
        return log.append(List.of(signed.leafData()), index -> insert(release, index))
                .map(appended -> new Logged(release.version(), appended.firstIndex(), appended.head()))
                .onErrorMap(DuplicateKeyException.class, taken -> ApiProblem.of(HttpStatus.CONFLICT, "version-exists",
                        "Version already logged", "Version " + release.version() + " is in the log already; a version is logged once."));
    }

    public Mono<Logged> deprecate(String version, SignedStatement signed) {
        Statement.Deprecation deprecation = checked(signed, Statement.Deprecation.class);
        if (!deprecation.version().equals(version)) {
            return Mono.error(ApiProblem.badRequest("version-mismatch", "The statement deprecates " + deprecation.version()
                    + ", not " + version + "."));
        }
        return byVersion(version)
                .switchIfEmpty(Mono.error(() -> ApiProblem.of(HttpStatus.NOT_FOUND, "unknown-release", "Unknown release",
                        "No release " + version + " is logged.")))
                .flatMap(found -> found.deprecated()
                        ? Mono.error(ApiProblem.of(HttpStatus.CONFLICT, "already-deprecated", "Already deprecated",
                                "Release " + version + " was deprecated at log index " + found.deprecatedIndex() + "."))
                        : log.append(List.of(signed.leafData()), index -> markDeprecated(deprecation, index)))
                .map(appended -> new Logged(version, appended.firstIndex(), appended.head()));
    }

    private <T extends Statement> T checked(SignedStatement signed, Class<T> type) {
        if (!signed.signedByAnyOf(releaseKeys)) {
            throw ApiProblem.of(HttpStatus.FORBIDDEN, "not-signed", "Not signed by a release key",
                    "The signature does not verify under any configured release key.");
        }
        Statement statement;
        try {
            statement = signed.parse();
        } catch (InvalidStatementException e) {
            throw ApiProblem.badRequest("bad-statement", e.getMessage());
        }
        if (!type.isInstance(statement)) {
            throw ApiProblem.badRequest("bad-statement", "This endpoint takes a " + type.getSimpleName().toLowerCase() + " statement.");
        }
        return type.cast(statement);
    }

    private Mono<Void> insert(Statement.Release release, long index) {
        Mono<Void> row = db.sql("INSERT INTO releases (version, leaf_index, source_commit) VALUES (:version, :index, :commit)")
                .bind("version", release.version()).bind("index", index).bind("commit", release.sourceCommit())
                .then();
        Mono<Void> files = Flux.fromIterable(release.files().entrySet())
                .concatMap(file -> db.sql("INSERT INTO release_files (version, path, integrity) VALUES (:version, :path, :integrity)")
                        .bind("version", release.version()).bind("path", file.getKey()).bind("integrity", file.getValue())
                        .then())
                .then();
        return row.then(files);
    }

    private Mono<Void> markDeprecated(Statement.Deprecation deprecation, long index) {
        return db.sql("UPDATE releases SET deprecated_index = :index, deprecated_reason = :reason "
                        + "WHERE version = :version AND deprecated_index IS NULL")
                .bind("index", index).bind("reason", deprecation.reason()).bind("version", deprecation.version())
                .fetch().rowsUpdated()
                .flatMap(updated -> updated == 1 ? Mono.<Void>empty()
                        : Mono.error(ApiProblem.of(HttpStatus.CONFLICT, "already-deprecated", "Already deprecated",
                                "Release " + deprecation.version() + " was deprecated meanwhile.")));
    }

    public Mono<ReleaseRecord> byVersion(String version) {
        return releases("WHERE r.version = :key", version).next();
    }

    /** Every release that lists a file with exactly this SRI value (at {@code path}, if given). */
    public Flux<ReleaseRecord> byFile(String integrity, String path) {
        return path == null
                ? releases("WHERE r.version IN (SELECT version FROM release_files WHERE integrity = :key)", integrity)
                : releases("WHERE r.version IN (SELECT version FROM release_files WHERE integrity = :key AND path = :path)",
                        integrity, path);
    }

    private Flux<ReleaseRecord> releases(String where, String key, String... path) {
        var spec = db.sql("SELECT r.version, r.source_commit, r.leaf_index, r.deprecated_index, r.deprecated_reason, f.path, f.integrity "
                        + "FROM releases r JOIN release_files f ON f.version = r.version " + where + " ORDER BY r.leaf_index, f.path")
                .bind("key", key);
        if (path.length > 0) {
            spec = spec.bind("path", path[0]);
        }
        return spec.map((row, meta) -> new Row(row.get("version", String.class), row.get("source_commit", String.class),
                        row.get("leaf_index", Long.class), row.get("deprecated_index", Long.class),
                        row.get("deprecated_reason", String.class), row.get("path", String.class), row.get("integrity", String.class)))
                .all()
                .bufferUntilChanged(Row::version)
                .map(rows -> {
                    Row first = rows.getFirst();
                    Map<String, String> files = new LinkedHashMap<>();
                    rows.forEach(row -> files.put(row.path(), row.integrity()));
                    return new ReleaseRecord(first.version(), first.sourceCommit(), files, first.leafIndex(),
                            first.deprecatedIndex(), first.deprecatedReason());
                });
    }
}
