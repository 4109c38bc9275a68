package run.ats.testkit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A fresh PostgreSQL database per test class, on the first server found in this order: the
 * URL in {@code ATS_TEST_POSTGRES_URL} (a role that may CREATE DATABASE); Testcontainers where a
 * Docker engine answers; otherwise a failure that says how to provide one.
 */
public final class TestPostgres {

    public static final String ENV = "ATS_TEST_POSTGRES_URL";

    /** Where a database lives, in the settings the services take. */
    public record Database(String name, String r2dbcUrl, String username, String password) {
        /** The settings a service jar takes for it. */
        public java.util.List<String> arguments() {
            return java.util.List.of("--spring.r2dbc.url=" + r2dbcUrl, "--spring.r2dbc.username=" + username,
                    "--spring.r2dbc.password=" + password);
        }
    }

    /** A login role of its own, owning nothing: a service's role when another role owns the tables. */
    public record Role(String username, String password) {
    }

    private record Server(String host, int port, String username, String password, String adminDatabase) {
        String jdbcUrl(String database) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }
    }

    private static Server server;

    private TestPostgres() {
    }

    public static synchronized Database freshDatabase() {
        Server s = server();
        String name = "ats_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        execute(s, "CREATE DATABASE " + name);
        return new Database(name, "r2dbc:postgresql://" + s.host() + ":" + s.port() + "/" + name, s.username(), s.password());
    }

    /**
     * A fresh login role that owns nothing and has no privileges beyond PUBLIC's. The test role
     * needs CREATEROLE for this ({@code .ci/run} gives it); roles of earlier runs are dropped.
     */
    public static synchronized Role freshRole() {
        Server s = server();
        String name = "ats_test_role_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String password = UUID.randomUUID().toString().replace("-", "");
        execute(s, "CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "'");
        return new Role(name, password);
    }

    private static Server server() {
        if (server != null) {
            return server;
        }
        String url = System.getenv(ENV);
        if (url != null && !url.isBlank()) {
            URI uri = URI.create(url);
            String[] user = uri.getUserInfo() == null ? new String[]{"postgres", ""} : uri.getUserInfo().split(":", 2);
            String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
            server = new Server(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), user[0],
                    user.length > 1 ? user[1] : "", db);
        } else if (dockerAnswers()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:15-alpine");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            server = new Server(container.getHost(), container.getFirstMappedPort(), container.getUsername(),
                    container.getPassword(), container.getDatabaseName());
        } else {
            throw new IllegalStateException("These tests need PostgreSQL. Set " + ENV
                    + "=postgresql://USER:PASSWORD@127.0.0.1:5432/postgres (a role with CREATEDB), "
                    + "or start a Docker engine for Testcontainers. `bash .ci/run` sets up a local one.");
        }
        dropLeftovers(server);
        return server;
    }

    private static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Drops the databases of earlier runs. Not at shutdown: the servers under test still hold
     * connections then. A database some other run still uses refuses the drop and stays.
     */
    private static void dropLeftovers(Server s) {
        List<String> names = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(s.jdbcUrl(s.adminDatabase()), s.username(), s.password());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'ats\\_test\\_%'")) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + s.host() + ":" + s.port() + " refused to list databases", e);
        }
        for (String name : names) {
            try {
                execute(s, "DROP DATABASE IF EXISTS " + name);
            } catch (IllegalStateException inUse) {
                // another run's database: leave it
            }
        }
        List<String> roles = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(s.jdbcUrl(s.adminDatabase()), s.username(), s.password());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT rolname FROM pg_roles WHERE rolname LIKE 'ats\\_test\\_role\\_%'")) {
            while (rows.next()) {
                roles.add(rows.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + s.host() + ":" + s.port() + " refused to list roles", e);
        }
        for (String role : roles) {
            try {
                execute(s, "DROP ROLE IF EXISTS " + role);
            } catch (IllegalStateException inUse) {
                // granted something in another run's database: leave it
            }
        }
    }

    private static void execute(Server s, String sql) {
        try (Connection connection = DriverManager.getConnection(s.jdbcUrl(s.adminDatabase()), s.username(), s.password());
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + s.host() + ":" + s.port() + " refused: " + sql, e);
        }
    }
}
