package run.ats.support.storage;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcProperties;
import org.springframework.stereotype.Component;

/**
 * Runs the schema migrations over JDBC at start-up, before any request is served, against
 * the database that {@code spring.r2dbc.url} names. Blocking here is fine: nothing else runs yet.
 */
@Component
final class Migrations implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);
    private final R2dbcProperties r2dbc;

    Migrations(R2dbcProperties r2dbc) {
        this.r2dbc = r2dbc;
    }

    @Override
    public void afterPropertiesSet() {
        String jdbcUrl = JdbcUrls.fromR2dbc(r2dbc.getUrl());
        var result = Flyway.configure()
                .dataSource(jdbcUrl, r2dbc.getUsername(), r2dbc.getPassword())
                .locations("classpath:db/migration")
                .load()
                .migrate();
        log.info("Database schema at version {} ({} migrations applied now)",
                result.targetSchemaVersion == null ? "unchanged" : result.targetSchemaVersion, result.migrationsExecuted);
    }
}
