package run.ats.main.account;

import io.r2dbc.spi.Readable;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import run.ats.main.secret.Secrets;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/** The accounts table. */
@Component
public final class Accounts {

    private final DatabaseClient db;
    private final Clock clock;
    private final SecureRandom random;

    Accounts(DatabaseClient db, Clock clock, SecureRandom random) {
        this.db = db;
        this.clock = clock;
        this.random = random;
    }

    public Mono<Account> byId(UUID id) {
        return db.sql("SELECT id, email, created_ms FROM accounts WHERE id = :id")
                .bind("id", id)
                .map(Accounts::read)
                .one();
    }

    /** The account for {@code email}, created at its first sign-in. Safe under concurrent first sign-ins. */
    public Mono<Account> findOrCreate(String email) {
        return byEmail(email).switchIfEmpty(Mono.defer(() -> create(email)
                .onErrorResume(DataIntegrityViolationException.class, raced -> byEmail(email))));
    }

    private Mono<Account> byEmail(String email) {
        return db.sql("SELECT id, email, created_ms FROM accounts WHERE email = :email")
                .bind("email", email)
                .map(Accounts::read)
                .one();
    }

    private static Account read(Readable row) {
        return new Account(row.get("id", UUID.class), row.get("email", String.class), row.get("created_ms", Long.class));
    }

    private Mono<Account> create(String email) {
        Account account = new Account(Secrets.uuid(random), email, clock.millis());
        return db.sql("INSERT INTO accounts (id, email, created_ms) VALUES (:id, :email, :created)")
                .bind("id", account.id())
                .bind("email", account.email())
                .bind("created", account.createdMs())
                .then()
                .thenReturn(account);
    }
}
