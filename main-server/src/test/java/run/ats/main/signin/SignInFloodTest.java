package run.ats.main.signin;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import run.ats.main.testsupport.Api;
import run.ats.main.testsupport.FreePorts;
import run.ats.main.testsupport.MainServerTestConfig;
import run.ats.main.testsupport.SignInMails;
import run.ats.main.testsupport.SignInMails.SignInMail;
import run.ats.main.testsupport.TestPostgres;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Someone who asks for sign-ins for another person's address, or guesses codes for it, cannot
 * lock that person out: with the default limits, over real HTTP and real SMTP, the person still
 * signs in with the code or the link of a mail they received, within the same window.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@Import(MainServerTestConfig.class)
class SignInFloodTest {

    private static final int SMTP_PORT = FreePorts.next();
    /** The attacker's requests: more than the mail limit (5) and the old per-address verify limit (20). */
    private static final int FLOOD = 30;

    @RegisterExtension
    static GreenMailExtension smtp = new GreenMailExtension(new ServerSetup(SMTP_PORT, "127.0.0.1", "smtp"))
            .withPerMethodLifecycle(false);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestPostgres.freshDatabase(registry);
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> SMTP_PORT);
        // The attacker has many addresses of their own; every client here is 127.0.0.1.
        registry.add("ats.main.rate-limits.start-per-ip", () -> 10_000);
        registry.add("ats.main.rate-limits.verify-per-ip", () -> 10_000);
    }

    @Autowired
    WebTestClient http;
    @Autowired
    SignInFlows flows;
    @Autowired
    Clock clock;

    @Test
    void startsForTheAddressDoNotEndTheCodeOrTheLinkItsOwnerWasMailed() {
        Api api = new Api(http);
        String victim = someone();
        String victimsBrowser = api.start(victim);
        SignInMail mine = SignInMails.latestTo(smtp, victim);

        int refused = flood(api, victim);

        assertThat(refused).as("past the mail limit the attacker's starts are refused").isEqualTo(FLOOD - 4);
        assertThat(SignInMails.allTo(smtp, victim)).as("mails sent, the victim's own included").hasSize(5);
        api.tokens(api.verifyCode(victim, mine.code()));

        // The same with the link, in the browser that asked.
        String other = someone();
        String otherBrowser = api.start(other);
        SignInMail otherMail = SignInMails.latestTo(smtp, other);
        flood(api, other);
        api.tokens(api.verifyLink(otherMail.token(), otherBrowser));
        assertThat(victimsBrowser).isNotNull();
    }

    @Test
    void afterAFloodOfStartsTheOwnerSignsInWithAnyMailTheyReceived() {
        Api api = new Api(http);
        String victim = someone();
        flood(api, victim);

        // The victim's own request is refused for now, and says why; the mails the flood sent still work.
        api.post("/v1/auth/email/start", Map.of("email", victim), null).expectStatus().isEqualTo(429)
                .expectHeader().exists("Retry-After")
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("still work"));
        List<SignInMail> received = SignInMails.allTo(smtp, victim);
        assertThat(received).hasSize(5);
        api.tokens(api.verifyCode(victim, received.getFirst().code()));
        api.tokens(api.verifyCode(victim, received.getLast().code()));
    }

    @Test
    void guessingCodesSpendsThemButNeverTheLinkNorTheNextCode() {
        Api api = new Api(http);
        String victim = someone();
        String victimsBrowser = api.start(victim);
        SignInMail mine = SignInMails.latestTo(smtp, victim);

        String wrong = mine.code().startsWith("2") ? "3333-3333" : "2222-2222";
        for (int i = 0; i < FLOOD; i++) {
            api.verifyCode(victim, wrong).expectStatus().isBadRequest();
        }

        // Five wrong guesses spent the code (it could otherwise be guessed without end)...
        api.verifyCode(victim, mine.code()).expectStatus().isBadRequest();
        // ...but verifying is not locked for the address: the link works, and so does a new code.
        api.tokens(api.verifyLink(mine.token(), victimsBrowser));
        api.start(victim);
        api.tokens(api.verifyCode(victim, SignInMails.latestTo(smtp, victim).code()));
    }

    @Test
    void onlyFlowsOlderThanTheNewestFewAreSuperseded() {
        String email = someone();
        long now = clock.millis();
        for (int i = 0; i < 8; i++) {
            SignInFlow flow = new SignInFlow(UUID.randomUUID(), email, "c" + i, UUID.randomUUID().toString(), "b",
                    0, now, now + 60_000, null);
            flows.store(flow, 5).block(Duration.ofSeconds(5));
        }
        List<String> open = flows.open(email, 20).map(SignInFlow::codeHash).collectList().block(Duration.ofSeconds(5));
        assertThat(open).containsExactly("c7", "c6", "c5", "c4", "c3");
    }

    /** Starts {@link #FLOOD} sign-ins for {@code email}; answers how many were refused (429). */
    private static int flood(Api api, String email) {
        int refused = 0;
        for (int i = 0; i < FLOOD; i++) {
            int status = api.post("/v1/auth/email/start", Map.of("email", email), null)
                    .returnResult(String.class).getStatus().value();
            assertThat(status).isIn(202, 429);
            refused += status == 429 ? 1 : 0;
        }
        return refused;
    }

    private static String someone() {
        return "v" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }
}
