package run.ats.main.web;

import org.junit.jupiter.api.Test;
import run.ats.main.testsupport.MutableClock;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimiterTest {

    @Test
    void countsPerKeyAndResetsWithTheWindow() {
        MutableClock clock = new MutableClock();
        RateLimiter limiter = new RateLimiter(2, Duration.ofMinutes(1), clock);

        assertThat(limiter.acquire("a")).isEmpty();
        assertThat(limiter.acquire("a")).isEmpty();
        clock.advance(Duration.ofSeconds(20));
        assertThat(limiter.acquire("a")).contains(Duration.ofSeconds(40));
        assertThat(limiter.acquire("b")).isEmpty();

        clock.advance(Duration.ofSeconds(40));
        assertThat(limiter.acquire("a")).isEmpty();
    }

    @Test
    void aClockSetBackNeitherRefusesNorGrantsMore() {
        MutableClock clock = new MutableClock();
        RateLimiter limiter = new RateLimiter(2, Duration.ofMinutes(1), clock);

        assertThat(limiter.acquire("a")).isEmpty();
        clock.advance(Duration.ofMinutes(-20));
        assertThat(limiter.acquire("a")).as("the second permit of the window").isEmpty();
        assertThat(limiter.acquire("a")).as("no third one").isPresent();
        assertThat(limiter.acquire("b")).isEmpty();
    }
}
