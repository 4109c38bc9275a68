package run.ats.support.storage;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcProperties;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import java.util.Map;

/**
 * Runs the schema migrations over JDBC at start-up, before any request is served, against
 * the database that {@code spring.r2dbc.url} names. Blocking here is fine: nothing else runs yet.
 *
 * <p>By default as the service's own role. With {@code spring.flyway.user} (and
 * {@code spring.flyway.password}) they run as that role instead, the tables' owner, so the service's
 * role can be given only the privileges it needs; migrations name it as {@code ${app_user}}.
 */
@Component
final class Migrations implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);
    private final R2dbcProperties r2dbc;
    private final Environment environment;

    Migrations(R2dbcProperties r2dbc, Environment environment) {
        this.r2dbc = r2dbc;
        this.environment = environment;
    }

    @Override
    public void afterPropertiesSet() {
        String jdbcUrl = JdbcUrls.fromR2dbc(r2dbc.getUrl());
        String owner = environment.getProperty("spring.flyway.user", "");
        boolean separate = !owner.isBlank();
        var result = Flyway.configure()
                .dataSource(jdbcUrl, separate ? owner : r2dbc.getUsername(),
                        separate ? environment.getProperty("spring.flyway.password", "") : r2dbc.getPassword())
                .placeholders(Map.of("app_user", r2dbc.getUsername() == null ? "" : r2dbc.getUsername()))
                .locations("classpath:db/migration")
                .load()
                .migrate();
        log.info("Database schema at version {} ({} migrations applied now, as {})",
                result.targetSchemaVersion == null ? "unchanged" : result.targetSchemaVersion, result.migrationsExecuted,
                separate ? "the owner role " + owner : "the service's role");
    }
}
