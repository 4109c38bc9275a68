package run.ats.main.signin;

import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
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

    /** Ends every open flow of the address ("superseded") and stores the new one. */
    Mono<Void> replaceOpenFlows(SignInFlow flow) {
        Mono<Void> supersede = db.sql("UPDATE sign_in_flows SET ended_ms = :now, ended_reason = 'superseded' "
                        + "WHERE email = :email AND ended_ms IS NULL")
                .bind("now", flow.createdMs())
                .bind("email", flow.email())
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
        return supersede.then(insert).as(tx::transactional);
    }

    /** The newest flow of the address that has not ended (it may have expired). */
    Mono<SignInFlow> newestOpen(String email) {
        return db.sql("SELECT " + COLUMNS + " FROM sign_in_flows WHERE email = :email AND ended_ms IS NULL "
                        + "ORDER BY created_ms DESC LIMIT 1")
                .bind("email", email)
                .map(SignInFlows::read)
                .one();
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

    /** Counts a wrong code; the attempt that reaches {@code maxAttempts} ends the flow. */
    Mono<Void> recordWrongCode(UUID id, long nowMs, int maxAttempts) {
        return db.sql("UPDATE sign_in_flows SET attempts = attempts + 1, "
                        + "ended_ms = CASE WHEN attempts + 1 >= :max THEN :now ELSE NULL END, "
                        + "ended_reason = CASE WHEN attempts + 1 >= :max THEN 'attempts' ELSE NULL END "
                        + "WHERE id = :id AND ended_ms IS NULL")
                .bind("max", maxAttempts)
                .bind("now", nowMs)
                .bind("id", id)
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
