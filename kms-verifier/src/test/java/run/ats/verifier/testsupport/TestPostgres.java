package run.ats.verifier.testsupport;

import org.springframework.test.context.DynamicPropertyRegistry;

/** testkit's fresh PostgreSQL database per test class, registered as {@code spring.r2dbc.*}. */
public final class TestPostgres {

    private TestPostgres() {
    }

    public static void freshDatabase(DynamicPropertyRegistry registry) {
        run.ats.testkit.TestPostgres.Database database = run.ats.testkit.TestPostgres.freshDatabase();
        registry.add("spring.r2dbc.url", database::r2dbcUrl);
        registry.add("spring.r2dbc.username", database::username);
        registry.add("spring.r2dbc.password", database::password);
    }
}
