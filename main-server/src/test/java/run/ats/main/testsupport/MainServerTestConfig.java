package run.ats.main.testsupport;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/** Lets a test move time forward; everything else is the real server. */
@TestConfiguration(proxyBeanMethods = false)
public class MainServerTestConfig {

    @Bean
    @Primary
    public MutableClock mutableClock() {
        return new MutableClock();
    }
}
