package run.ats.main.signin;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import run.ats.main.testsupport.Api;
import run.ats.main.testsupport.TestPostgres;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Floods of starts get 429 with Retry-After, per address (mails) and per client IP; verifies per client IP only. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.main.mail.local-inbox=true",
        "ats.main.rate-limits.start-per-address=2",
        "ats.main.rate-limits.start-per-ip=4",
        "ats.main.rate-limits.verify-per-ip=5",
        "ats.main.rate-limits.window=10m"})
@AutoConfigureWebTestClient
class SignInRateLimitTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestPostgres.freshDatabase(registry);
    }

    @Autowired
    WebTestClient http;

    @Test
    void floodsAreLimitedPerAddressAndPerIp() {
        Api api = new Api(http);
        api.start("flood@example.com");
        api.start("flood@example.com");
        api.post("/v1/auth/email/start", Map.of("email", "flood@example.com"), null)
                .expectStatus().isEqualTo(429)
                .expectHeader().value("Retry-After", value -> assertThat(Long.parseLong(value)).isBetween(1L, 600L))
                .expectBody().jsonPath("$.type").isEqualTo("https://ats.run/problems/rate-limited");

        // A fourth address still passes the per-IP limit of 4, the fifth start does not.
        api.start("other@example.com");
        api.post("/v1/auth/email/start", Map.of("email", "third@example.com"), null).expectStatus().isEqualTo(429);

        // Verifies count per client IP, whatever the address; there is no limit per address (SignInFloodTest).
        for (int i = 0; i < 5; i++) {
            api.verifyCode(i % 2 == 0 ? "flood@example.com" : "other@example.com", "2222-2222").expectStatus().isBadRequest();
        }
        api.verifyCode("third@example.com", "2222-2222").expectStatus().isEqualTo(429);
    }
}
