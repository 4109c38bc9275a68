package run.ats.main.testsupport;

import org.springframework.test.context.DynamicPropertyRegistry;

/** testkit's fresh PostgreSQL database per test class, registered as {@code spring.r2dbc.*}. */
public final class TestPostgres {

    private TestPostgres() {
    }

    public static run.ats.testkit.TestPostgres.Database freshDatabase(DynamicPropertyRegistry registry) {
        run.ats.testkit.TestPostgres.Database database = freshDatabase();
        registry.add("spring.r2dbc.url", database::r2dbcUrl);
        registry.add("spring.r2dbc.username", database::username);
        registry.add("spring.r2dbc.password", database::password);
        return database;
    }

    public static run.ats.testkit.TestPostgres.Database freshDatabase() {
        return run.ats.testkit.TestPostgres.freshDatabase();
    }
}
