package run.ats.main.signin;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import run.ats.main.testsupport.Api;
import run.ats.main.testsupport.FreePorts;
import run.ats.main.testsupport.MainServerTestConfig;
import run.ats.main.testsupport.MutableClock;
import run.ats.main.testsupport.SignInMails;
import run.ats.main.testsupport.SignInMails.SignInMail;
import run.ats.main.testsupport.TestPostgres;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Email sign-in end to end: real HTTP, real PostgreSQL, real SMTP (GreenMail). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@Import(MainServerTestConfig.class)
@ExtendWith(OutputCaptureExtension.class)
class EmailSignInTest {

    private static final int SMTP_PORT = FreePorts.next();

    @RegisterExtension
    static GreenMailExtension smtp = new GreenMailExtension(new ServerSetup(SMTP_PORT, "127.0.0.1", "smtp"))
            .withPerMethodLifecycle(false);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestPostgres.freshDatabase(registry);
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> SMTP_PORT);
        // High enough that only the rate-limit test meets them.
        registry.add("ats.main.rate-limits.start-per-ip", () -> 10_000);
        registry.add("ats.main.rate-limits.verify-per-ip", () -> 10_000);
    }

    @Autowired
    WebTestClient http;
    @Autowired
    MutableClock clock;
    @Autowired
    DatabaseClient db;

    private Api api() {
        return new Api(http);
    }

    private static String someone() {
        return "p" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    @Test
    void codeFromTheMailSignsIn(CapturedOutput output) {
        String email = someone();
        api().start(email);
        SignInMail mail = SignInMails.latestTo(smtp, email);

        Api.Tokens tokens = api().tokens(api().verifyCode(email, mail.code().toLowerCase().replace("-", " ")));

        assertThat(tokens.expiresIn()).isEqualTo(900);
        api().me(tokens.accessToken()).expectStatus().isOk()
                .expectBody().jsonPath("$.email").isEqualTo(email);
        // GreenMail, the test's SMTP server, logs addresses itself; every other line must not.
        assertThat(output.getAll().lines().filter(line -> line.contains(email) && !line.contains("c.icegreen.greenmail")))
                .isEmpty();
    }

    @Test
    void theDatabaseKeepsOnlyHashesOfCodesLinksAndRefreshTokens() {
        String email = someone();
        String cookie = api().start(email);
        SignInMail mail = SignInMails.latestTo(smtp, email);
        Api.Tokens tokens = api().tokens(api().verifyLink(mail.token(), cookie));

        var flow = db.sql("SELECT code_hash, token_hash, browser_hash FROM sign_in_flows WHERE email = :email")
                .bind("email", email).fetch().one().block(Duration.ofSeconds(5));
        String stored = flow.values().toString();
        assertThat(flow.values()).allSatisfy(v -> assertThat((String) v).matches("[0-9a-f]{64}"));
        assertThat(stored).doesNotContain(mail.code().replace("-", ""), mail.token(), cookie);
        String refreshHashes = db.sql("SELECT token_hash FROM refresh_tokens").fetch().all()
                .map(Object::toString).collectList().block(Duration.ofSeconds(5)).toString();
        assertThat(refreshHashes).doesNotContain(tokens.refreshToken());
    }

    @Test
    void linkSignsInTheBrowserThatAsked() {
        String email = someone();
        String cookie = api().start(email);
        SignInMail mail = SignInMails.latestTo(smtp, email);
        assertThat(mail.link()).contains("/signin#token=");

        Api.Tokens tokens = api().tokens(api().verifyLink(mail.token(), cookie));

        api().me(tokens.accessToken()).expectStatus().isOk().expectBody().jsonPath("$.email").isEqualTo(email);
    }

    @Test
    void linkFetchedByAScannerStillWorksForThePerson() {
        String email = someone();
        String cookie = api().start(email);
        SignInMail mail = SignInMails.latestTo(smtp, email);

        // A mail scanner fetches the URL (the fragment never leaves the client)...
        http.get().uri(mail.link().replace("http://localhost:8080", "")).exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML);
        // ...and even one that runs the page's script has no cookie.
        api().verifyLink(mail.token(), null).expectStatus().isForbidden()
                .expectBody().jsonPath("$.type").isEqualTo("https://ats.run/problems/wrong-browser");

        api().tokens(api().verifyLink(mail.token(), cookie));
    }

    @Test
    void linkOpenedInAnotherBrowserTellsToTypeTheCodeAndKeepsTheCodeValid() {
        String email = someone();
        api().start(email);
        SignInMail mail = SignInMails.latestTo(smtp, email);
        String otherBrowser = api().start(someone());

        api().verifyLink(mail.token(), otherBrowser).expectStatus().isForbidden()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("Type the code"));

        api().tokens(api().verifyCode(email, mail.code()));
    }

    @Test
    void replayedLinkIsRefused() {
        String email = someone();
        String cookie = api().start(email);
        SignInMail mail = SignInMails.latestTo(smtp, email);
        api().tokens(api().verifyLink(mail.token(), cookie));

        api().verifyLink(mail.token(), cookie).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("https://ats.run/problems/link-invalid");
        api().verifyCode(email, mail.code()).expectStatus().isBadRequest();
    }

    @Test
    void fiveWrongCodesKillTheSignIn() {
        String email = someone();
        api().start(email);
        SignInMail mail = SignInMails.latestTo(smtp, email);
        String wrong = mail.code().startsWith("2") ? "3333-3333" : "2222-2222";

        // The answers never count the attempts left (SignInAnswersTest): that would tell a sign-in is waiting.
        for (int i = 0; i < 5; i++) {
            api().verifyCode(email, wrong).expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.type").isEqualTo("https://ats.run/problems/invalid-code");
        }

        api().verifyCode(email, mail.code()).expectStatus().isBadRequest();
    }

    @Test
    void expiredCodeAndLinkAreRefused() {
        String email = someone();
        String cookie = api().start(email);
        SignInMail mail = SignInMails.latestTo(smtp, email);

        clock.advance(Duration.ofMinutes(15).plusSeconds(1));

        api().verifyCode(email, mail.code()).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("https://ats.run/problems/invalid-code");
        api().verifyLink(mail.token(), cookie).expectStatus().isBadRequest();
    }

    @Test
    void aNewerRequestLeavesTheCodeAndLinkMailedBeforeItValid() {
        // Whoever asks again (the person, or someone else for their address) does not end the first mail (SignInFloodTest).
        String email = someone();
        String firstCookie = api().start(email);
        SignInMail first = SignInMails.latestTo(smtp, email);
        api().start(email);
        SignInMail second = SignInMails.latestTo(smtp, email);
        assertThat(second.code()).isNotEqualTo(first.code());

        api().tokens(api().verifyCode(email, first.code()));
        api().tokens(api().verifyCode(email, second.code()));
        api().verifyLink(first.token(), firstCookie).expectStatus().isBadRequest();
    }

    @Test
    void concurrentVerifiesOfOneCodeHaveExactlyOneWinner() throws Exception {
        String email = someone();
        api().start(email);
        SignInMail mail = SignInMails.latestTo(smtp, email);
        int racers = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(racers)) {
            for (int i = 0; i < racers; i++) {
                results.add(CompletableFuture.supplyAsync(() -> {
                    await(go);
                    return api().verifyCode(email, mail.code()).returnResult(String.class).getStatus().value();
                }, pool));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (CompletableFuture<Integer> result : results) {
                statuses.add(result.get(20, TimeUnit.SECONDS));
            }
            assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
            assertThat(statuses).filteredOn(s -> s == 400).hasSize(racers - 1);
        }
    }

    @Test
    void everyWellFormedAddressGetsTheSameAnswer() {
        String email = someone();
        api().start(email);
        api().tokens(api().verifyCode(email, SignInMails.latestTo(smtp, email).code()));

        // Registered and unregistered alike: 202, the same body, and a mail.
        api().start(email);
        String stranger = someone();
        api().start(stranger);
        assertThat(SignInMails.countTo(smtp, email)).isEqualTo(2);
        assertThat(SignInMails.countTo(smtp, stranger)).isEqualTo(1);
    }

    @Test
    void malformedInputGetsProblemDetails() {
        for (String bad : List.of("", "plainaddress", "a@b", "a@@example.com", "a b@example.com", ".a@example.com",
                "x".repeat(250) + "@example.com")) {
            api().post("/v1/auth/email/start", Map.of("email", bad), null)
                    .expectStatus().isBadRequest()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.type").isEqualTo("https://ats.run/problems/invalid-email");
        }
        api().post("/v1/auth/email/start", Map.of("email", "a@example.com", "admin", true), null)
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").isEqualTo("Unknown field 'admin'.");
        api().post("/v1/auth/email/start", "{\"email\":", null)
                .expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        api().post("/v1/auth/email/start", Map.of("email", "a@example.com".repeat(2_000)), null)
                .expectStatus().isEqualTo(413)
                .expectBody().jsonPath("$.type").isEqualTo("https://ats.run/problems/too-large");
        api().verifyCode("a@example.com", "not-a-code!").expectStatus().isBadRequest();
        api().post("/v1/auth/email/verify", Map.of("token", "t", "email", "a@example.com"), null)
                .expectStatus().isBadRequest();
        api().verifyLink("unknown-token", "cookie").expectStatus().isBadRequest();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
