package run.ats.support.storage;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JdbcUrlsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "r2dbc:postgresql://db.internal:5433/ats              | jdbc:postgresql://db.internal:5433/ats",
            "r2dbc:postgresql://db/ats                            | jdbc:postgresql://db:5432/ats",
            "r2dbc:postgres://db:5432/ats?sslmode=require         | jdbc:postgresql://db:5432/ats?sslmode=require",
            "r2dbc:h2:mem:///test?options=DB_CLOSE_DELAY=-1       | jdbc:h2:mem:test;DB_CLOSE_DELAY=-1",
            "r2dbc:h2:file:///./.ats-local/main-server            | jdbc:h2:file:./.ats-local/main-server",
            "r2dbc:h2:file:///data/ats                            | jdbc:h2:file:./data/ats",
    })
    void derivesTheJdbcUrl(String r2dbc, String jdbc) {
        assertThat(JdbcUrls.fromR2dbc(r2dbc)).isEqualTo(jdbc);
    }

    @Test
    void refusesOtherDatabases() {
        assertThatThrownBy(() -> JdbcUrls.fromR2dbc("r2dbc:mysql://db/ats"))
                .hasMessageContaining("postgresql or h2").hasMessageContaining("mysql");
    }
}
