package run.ats.verifier;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import run.ats.verifier.cli.Cli;

/**
 * The KMS verifier service, or, when the first argument is a command ({@code sri},
 * {@code verify-dir}, {@code verify-origin}), the auditors' command-line verifier.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class VerifierApplication {

    public static void main(String[] args) {
        if (args.length > 0 && Cli.isCommand(args[0])) {
            System.exit(Cli.run(args, System.out, System.err));
        }
        SpringApplication.run(VerifierApplication.class, args);
    }
}
