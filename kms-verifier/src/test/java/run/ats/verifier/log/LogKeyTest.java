package run.ats.verifier.log;

import io.r2dbc.spi.ConnectionFactories;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.r2dbc.core.DatabaseClient;
import run.ats.testkit.TestPostgres;
import run.ats.verifier.keys.KeyFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Moving the log's key out of the database never changes it by accident: while an older version's
 * key sits in the database, no new key file is made; once that key is exported to the file, it signs.
 */
class LogKeyTest {

    @Test
    void aKeyLeftInTheDatabaseIsNeverReplacedByANewOne(@TempDir Path dir) throws Exception {
        TestPostgres.Database database = TestPostgres.freshDatabase();
        String jdbc = database.r2dbcUrl().replaceFirst("^r2dbc:", "jdbc:");
        Flyway.configure().dataSource(jdbc, database.username(), database.password()).locations("classpath:db/migration")
                .placeholders(Map.of("app_user", database.username())).load().migrate();
        KeyPair old = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        try (Connection connection = DriverManager.getConnection(jdbc, database.username(), database.password());
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO log_key (id, private_key, public_key, created_ms) VALUES (1, ?, ?, 0)")) {
            insert.setString(1, Base64.getEncoder().encodeToString(old.getPrivate().getEncoded()));
            insert.setString(2, Base64.getEncoder().encodeToString(old.getPublic().getEncoded()));
            insert.executeUpdate();
        }
        DatabaseClient db = DatabaseClient.create(ConnectionFactories.get(database.r2dbcUrl()
                .replaceFirst("^r2dbc:postgresql://", "r2dbc:postgresql://" + database.username() + ":" + database.password() + "@")));
        Path file = dir.resolve("log-key.pem");

        assertThatThrownBy(() -> LogKey.fromFile(file, db).block(Duration.ofSeconds(20)))
                .hasMessageContaining("would break every auditor's pin").hasMessageContaining(file.toString());
        assertThat(file).doesNotExist();

        // Exported as docs/operations.md says (base64 PKCS#8 between PEM lines): that key signs.
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(old.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        KeyPair read = LogKey.fromFile(file, db).block(Duration.ofSeconds(20));
        assertThat(read.getPublic().getEncoded()).isEqualTo(old.getPublic().getEncoded());
        assertThat(KeyFile.read(file).getPublic().getEncoded()).isEqualTo(old.getPublic().getEncoded());
    }
}
