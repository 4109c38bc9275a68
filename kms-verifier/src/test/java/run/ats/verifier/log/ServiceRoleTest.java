package run.ats.verifier.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import run.ats.testkit.TestPostgres;
import run.ats.verifier.keys.KeyFile;
import run.ats.verifier.testsupport.Http;
import run.ats.verifier.testsupport.Keys;
import run.ats.verifier.testsupport.KmsSite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The service as deployed with two roles: migrations as the tables' owner, the service as a role
 * that may append to the log and read it. The service works; its own credentials cannot rewrite,
 * truncate, alter or un-trigger the log, nor read a signing key, which lives in a file.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "ats.verifier.monitor.enabled=false")
class ServiceRoleTest {

    private static final KeyPair RELEASE_KEY = Keys.ed25519();
    private static final TestPostgres.Database DATABASE = TestPostgres.freshDatabase();
    private static final TestPostgres.Role SERVICE = TestPostgres.freshRole();
    private static final Path KEY_FILE = tempDir().resolve("log-key.pem");
    private static boolean appended;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.r2dbc.url", DATABASE::r2dbcUrl);
        registry.add("spring.r2dbc.username", SERVICE::username);
        registry.add("spring.r2dbc.password", SERVICE::password);
        registry.add("spring.flyway.user", DATABASE::username);
        registry.add("spring.flyway.password", DATABASE::password);
        registry.add("ats.verifier.log-key-file", KEY_FILE::toString);
        registry.add("ats.verifier.release-keys", () -> KmsSite.publicKeyBase64(RELEASE_KEY.getPublic()));
    }

    @LocalServerPort
    int port;

    @Test
    void theServiceAppendsAndSignsWithTheKeyFromItsFile() throws Exception {
        Http http = new Http(port);
        try (KmsSite site = new KmsSite()) {
            HttpResponse<String> posted = http.post("/v1/releases", site.signedRelease("1.0.0", RELEASE_KEY.getPrivate()));
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
            HttpResponse<String> deprecated = http.post("/v1/releases/1.0.0/deprecation", KmsSite.signedBody(
                    "{\"type\":\"deprecation\",\"version\":\"1.0.0\",\"reason\":\"test\"}", RELEASE_KEY.getPrivate()));
            assertThat(deprecated.statusCode()).as(deprecated.body()).isEqualTo(201);
        }
        // The key was made in the file, owner-only, and it is the one checkpoints are signed with.
        assertThat(Files.getPosixFilePermissions(KEY_FILE)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        KeyPair key = KeyFile.read(KEY_FILE);
        String logKey = http.get("/v1/log/key").body().trim();
        assertThat(logKey).isEqualTo(Checkpoint.verifierKey("ats.run/kms-log", key.getPublic()));
        Checkpoint.verify(http.get("/v1/log/checkpoint").body(), logKey);
        try (Connection owner = connect(DATABASE.username(), DATABASE.password()); Statement sql = owner.createStatement()) {
            var rows = sql.executeQuery("SELECT count(*) FROM log_key");
            rows.next();
            assertThat(rows.getLong(1)).as("no key in the database").isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "UPDATE log_entries SET data = '\\x00'", "DELETE FROM log_entries", "TRUNCATE log_entries",
            "UPDATE log_nodes SET hash = hash", "DELETE FROM log_nodes", "TRUNCATE log_nodes",
            "ALTER TABLE log_entries DISABLE TRIGGER ALL", "ALTER TABLE log_entries DISABLE TRIGGER log_entries_append_only",
            "ALTER TABLE log_nodes DISABLE TRIGGER log_nodes_append_only", "DROP TRIGGER log_entries_append_only ON log_entries",
            "ALTER TABLE log_entries OWNER TO CURRENT_USER", "DROP TABLE log_entries", "ALTER TABLE log_nodes DROP CONSTRAINT log_nodes_pkey",
            "CREATE OR REPLACE FUNCTION refuse_log_rewrite() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql",
            "DELETE FROM log_head", "TRUNCATE log_head", "UPDATE log_head SET size = 0", "ALTER TABLE log_head DISABLE TRIGGER ALL",
            "UPDATE release_files SET integrity = 'sha256-x'", "DELETE FROM releases", "UPDATE releases SET source_commit = 'x'",
            "SELECT private_key FROM log_key", "INSERT INTO log_key (id, private_key, public_key, created_ms) VALUES (2, 'a', 'b', 0)",
            "CREATE TABLE log_entries_copy (idx BIGINT)", "SET session_replication_role = replica"})
    void theServicesRoleCannotRewriteTheLog(String statement) throws Exception {
        theServiceAppendsOnce();
        try (Connection service = connect(SERVICE.username(), SERVICE.password()); Statement sql = service.createStatement()) {
            assertThatThrownBy(() -> sql.execute(statement)).as(statement).isInstanceOf(SQLException.class)
                    .hasMessageMatching("(?s).*(permission denied|must be owner|only grows|append-only).*");
        }
    }

    @Test
    void theServicesRoleCanStillAppendAndRead() throws Exception {
        theServiceAppendsOnce();
        try (Connection service = connect(SERVICE.username(), SERVICE.password()); Statement sql = service.createStatement()) {
            var rows = sql.executeQuery("SELECT count(*) FROM log_entries");
            rows.next();
            assertThat(rows.getLong(1)).isPositive();
            assertThat(sql.executeUpdate("INSERT INTO verifications (origin, checked_ms, verdict, report) VALUES ('o', 0, 'match', '{}')"))
                    .isEqualTo(1);
        }
    }

    private void theServiceAppendsOnce() throws IOException, InterruptedException {
        if (appended) {
            return;
        }
        try (KmsSite site = new KmsSite()) {
            assertThat(new Http(port).post("/v1/releases", site.signedRelease("0.9.0", RELEASE_KEY.getPrivate())).statusCode())
                    .isEqualTo(201);
        }
        appended = true;
    }

    private static Connection connect(String user, String password) throws SQLException {
        return DriverManager.getConnection(DATABASE.r2dbcUrl().replaceFirst("^r2dbc:", "jdbc:"), user, password);
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("ats-verifier-key");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
