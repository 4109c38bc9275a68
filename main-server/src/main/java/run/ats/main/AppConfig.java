package run.ats.main;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

@Configuration(proxyBeanMethods = false)
class AppConfig {

    /**
     * One seeded DRBG for codes, tokens and signatures: after seeding it never reads
     * /dev/urandom again, so drawing from it on an event-loop thread does not block.
     */
    @Bean
    SecureRandom secureRandom() throws NoSuchAlgorithmException {
        SecureRandom random = SecureRandom.getInstance("DRBG");
        random.nextBytes(new byte[32]);
        return random;
    }
}
