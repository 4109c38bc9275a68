package run.ats.support.storage;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;

/**
 * Derives the JDBC URL that migrations use from {@code spring.r2dbc.url}, so operators
 * configure one database, once.
 */
public final class JdbcUrls {

    private JdbcUrls() {
    }

    /** Requires a PostgreSQL or H2 R2DBC URL; anything else is refused by name. */
    public static String fromR2dbc(String r2dbcUrl) {
        ConnectionFactoryOptions options = ConnectionFactoryOptions.parse(r2dbcUrl);
        String driver = (String) options.getRequiredValue(ConnectionFactoryOptions.DRIVER);
        String database = options.hasOption(ConnectionFactoryOptions.DATABASE)
                ? (String) options.getValue(ConnectionFactoryOptions.DATABASE) : "";
        int query = r2dbcUrl.indexOf('?');
        String parameters = query < 0 ? "" : r2dbcUrl.substring(query);
        // r2dbc-h2 takes H2 settings as ?options=A=1;B=2, which JDBC wants as ;A=1;B=2.
        switch (driver) {
            case "postgresql", "postgres" -> {
                String host = (String) options.getRequiredValue(ConnectionFactoryOptions.HOST);
                Object port = options.hasOption(ConnectionFactoryOptions.PORT)
                        ? options.getValue(ConnectionFactoryOptions.PORT) : 5432;
                return "jdbc:postgresql://" + host + ":" + port + "/" + database + parameters;
            }
            case "h2" -> {
                String protocol = (String) options.getRequiredValue(ConnectionFactoryOptions.PROTOCOL);
                // H2 refuses paths that are only implicitly relative to the working directory.
                boolean explicit = database.startsWith("/") || database.startsWith("./") || database.startsWith("../")
                        || database.startsWith("~");
                String path = "file".equals(protocol) && !explicit ? "./" + database : database;
                Object h2Options = options.getValue(Option.valueOf("options"));
                return "jdbc:h2:" + protocol + ":" + path + (h2Options == null ? "" : ";" + h2Options);
            }
            default -> throw new IllegalArgumentException(
                    "spring.r2dbc.url must name postgresql or h2, not '" + driver + "'");
        }
    }
}
