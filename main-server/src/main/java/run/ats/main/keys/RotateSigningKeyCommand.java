package run.ats.main.keys;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * The operator action {@code java -jar main-server.jar rotate-signing-key}: starts without a web
 * server, adds a new signing key to the shared store, prints its kid and exits. Running replicas
 * start signing with it within {@code ats.main.tokens.key-reload-interval}; tokens signed with the
 * previous key stay valid because the previous key stays published.
 */
@Component
@ConditionalOnProperty("ats.main.command.rotate-signing-key")
public final class RotateSigningKeyCommand implements ApplicationRunner {

    public static final String COMMAND = "rotate-signing-key";
    private static final Logger log = LoggerFactory.getLogger(RotateSigningKeyCommand.class);

    private final SigningKeys keys;

    RotateSigningKeyCommand(SigningKeys keys) {
        this.keys = keys;
    }

    /** Switches the application into command mode when an argument names this command; true if it did. */
    public static boolean prepare(SpringApplication app, String[] args) {
        if (!Arrays.asList(args).contains(COMMAND)) {
            return false;
        }
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(Map.of("ats.main.command.rotate-signing-key", "true"));
        return true;
    }

    @Override
    public void run(ApplicationArguments args) {
        // A one-shot command, not a request path: waiting here is the point.
        SigningKey key = keys.rotate().block(Duration.ofSeconds(30));
        log.info("New signing key {} is current; the previous key stays published for verification", key.kid());
    }
}
