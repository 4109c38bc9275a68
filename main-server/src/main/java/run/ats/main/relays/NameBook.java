package run.ats.main.relays;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import run.ats.protocol.relay.RelayNames;

import java.time.Clock;

/**
 * Gives each claimed relay its public name, for good: the first of its {@link RelayNames}
 * candidates that is neither reserved nor already given. The table's unique key decides races,
 * and rows are never deleted, so no name is ever given twice.
 */
@Component
final class NameBook {

    /** Candidates tried before giving up; at a million relays about 0.6 % of claims need a second one. */
    static final int MAX_CANDIDATES = 64;

    private final DatabaseClient db;
    private final Clock clock;

    NameBook(DatabaseClient db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** The relay's name: the one it was given before, or a new one. */
    Mono<String> nameFor(String relayId) {
        return given(relayId).switchIfEmpty(Mono.defer(() -> give(relayId, 0)));
    }

    private Mono<String> given(String relayId) {
        return db.sql("SELECT name FROM relay_names WHERE relay_id = :id").bind("id", relayId)
                .map((row, meta) -> row.get("name", String.class)).one();
    }

    private Mono<String> give(String relayId, int k) {
        if (k >= MAX_CANDIDATES) {
            return Mono.error(new IllegalStateException("no free name among " + MAX_CANDIDATES + " candidates of relay " + relayId));
        }
        String candidate = RelayNames.candidate(relayId, k);
        if (RelayNames.isReserved(candidate)) {
            return give(relayId, k + 1);
        }
        return db.sql("INSERT INTO relay_names (name, relay_id, given_ms) VALUES (:name, :id, :now)")
                .bind("name", candidate)
                .bind("id", relayId)
                .bind("now", clock.millis())
                .then()
                .thenReturn(candidate)
                // Taken: by another relay (try the next candidate), or by this one in a racing claim (use it).
                .onErrorResume(DataIntegrityViolationException.class,
                        taken -> given(relayId).switchIfEmpty(Mono.defer(() -> give(relayId, k + 1))));
    }
}
