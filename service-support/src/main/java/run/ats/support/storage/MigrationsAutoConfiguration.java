package run.ats.support.storage;

import org.flywaydb.core.Flyway;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration;
import org.springframework.context.annotation.Import;

/** Every service with a database migrates it at start-up from {@code classpath:db/migration}. */
@AutoConfiguration(after = R2dbcAutoConfiguration.class)
@ConditionalOnClass(Flyway.class)
@Import(Migrations.class)
public class MigrationsAutoConfiguration {
}
