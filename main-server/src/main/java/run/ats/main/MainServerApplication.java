package run.ats.main;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import run.ats.main.keys.RotateSigningKeyCommand;

/** The main server: email sign-in, accounts and relay-access tokens. Never on the ping path. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class MainServerApplication {

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(MainServerApplication.class);
        boolean command = RotateSigningKeyCommand.prepare(app, args);
        var context = app.run(args);
        if (command) {
            System.exit(SpringApplication.exit(context));
        }
    }
}
