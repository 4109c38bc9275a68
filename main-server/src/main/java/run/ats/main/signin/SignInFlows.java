package run.ats.main.signin;

import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.UUID;

/** The sign_in_flows table. Every state change is one conditional UPDATE, so races have one winner. */
@Component
final class SignInFlows {

    private static final String COLUMNS =
            "id, email, code_hash, token_hash, browser_hash, attempts, created_ms, expires_ms, ended_ms";

    private final DatabaseClient db;
    private final TransactionalOperator tx;

    SignInFlows(DatabaseClient db, TransactionalOperator tx) {
        this.db = db;
        this.tx = tx;
    }

    /**
     * Stores the new flow and ends ("superseded") the open flows of the address older than the
     * newest {@code keep}, the new one included: a request never ends a code mailed just before it.
     */
    Mono<Void> store(SignInFlow flow, int keep) {
        Mono<Void> supersede = db.sql("UPDATE sign_in_flows SET ended_ms = :now, ended_reason = 'superseded' "
                        + "WHERE email = :email AND ended_ms IS NULL AND id NOT IN (SELECT id FROM sign_in_flows "
                        + "WHERE email = :email AND ended_ms IS NULL ORDER BY seq DESC LIMIT :keep)")
                .bind("now", flow.createdMs())
                .bind("email", flow.email())
                .bind("keep", keep)
                .then();
        Mono<Void> insert = db.sql("INSERT INTO sign_in_flows (" + COLUMNS + ") VALUES "
                        + "(:id, :email, :code, :token, :browser, 0, :created, :expires, NULL)")
                .bind("id", flow.id())
                .bind("email", flow.email())
                .bind("code", flow.codeHash())
                .bind("token", flow.tokenHash())
                .bind("browser", flow.browserHash())
                .bind("created", flow.createdMs())
                .bind("expires", flow.expiresMs())
                .then();
        return insert.then(supersede).as(tx::transactional);
    }

    /** The flows of the address that have not ended (some may have expired), newest first, at most {@code limit}. */
    Flux<SignInFlow> open(String email, int limit) {
        return db.sql("SELECT " + COLUMNS + " FROM sign_in_flows WHERE email = :email AND ended_ms IS NULL "
                        + "ORDER BY seq DESC LIMIT :limit")
                .bind("email", email)
                .bind("limit", limit)
                .map(SignInFlows::read)
                .all();
    }

    Mono<SignInFlow> byTokenHash(String tokenHash) {
        return db.sql("SELECT " + COLUMNS + " FROM sign_in_flows WHERE token_hash = :token")
                .bind("token", tokenHash)
                .map(SignInFlows::read)
                .one();
    }

    /** True when this call ended the flow as used; false when it had ended, expired or another call won. */
    Mono<Boolean> consume(UUID id, long nowMs) {
        return db.sql("UPDATE sign_in_flows SET ended_ms = :now, ended_reason = 'used' "
                        + "WHERE id = :id AND ended_ms IS NULL AND expires_ms > :now")
                .bind("now", nowMs)
                .bind("id", id)
                .fetch()
                .rowsUpdated()
                .map(rows -> rows == 1);
    }

    /**
     * Counts a code that signed nothing in against every live flow of the address (it was a wrong
     * guess at each of them). A flow's code stops working at {@code max-attempts}; its link does
     * not, so guessing can spend the codes but never lock the owner out of the link.
     */
    Mono<Void> recordWrongCode(String email, long nowMs) {
        return db.sql("UPDATE sign_in_flows SET attempts = attempts + 1 "
                        + "WHERE email = :email AND ended_ms IS NULL AND expires_ms > :now")
                .bind("email", email)
                .bind("now", nowMs)
                .then();
    }

    private static SignInFlow read(Readable row) {
        return new SignInFlow(
                row.get("id", UUID.class),
                row.get("email", String.class),
                row.get("code_hash", String.class),
                row.get("token_hash", String.class),
                row.get("browser_hash", String.class),
                row.get("attempts", Integer.class),
                row.get("created_ms", Long.class),
                row.get("expires_ms", Long.class),
                row.get("ended_ms", Long.class));
    }
}
