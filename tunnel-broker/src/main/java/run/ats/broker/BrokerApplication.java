package run.ats.broker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

import java.security.SecureRandom;

/** The tunnel broker: {@code {name}.{domain}} for every claimed relay, through a tunnel the relay dials. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class BrokerApplication {

    public static void main(String[] args) {
        SpringApplication.run(BrokerApplication.class, args);
    }

    @Bean
    SecureRandom secureRandom() throws Exception {
        return SecureRandom.getInstance("DRBG");
    }
}
