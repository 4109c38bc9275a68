package run.ats.main.signin;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import run.ats.main.testsupport.Api;
import run.ats.main.testsupport.FreePorts;
import run.ats.main.testsupport.MainServerTestConfig;
import run.ats.main.testsupport.MutableClock;
import run.ats.main.testsupport.SignInMails;
import run.ats.main.testsupport.SignInMails.SignInMail;
import run.ats.main.testsupport.TestPostgres;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A well-formed code that does not sign in gets one answer, byte for byte, whatever the reason:
 * nobody signing in with the address, a wrong code, an expired one, one whose attempts are used
 * up, one already used. Otherwise anyone could learn who is signing in right now.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@Import(MainServerTestConfig.class)
class SignInAnswersTest {

    private static final int SMTP_PORT = FreePorts.next();

    @RegisterExtension
    static GreenMailExtension smtp = new GreenMailExtension(new ServerSetup(SMTP_PORT, "127.0.0.1", "smtp"))
            .withPerMethodLifecycle(false);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestPostgres.freshDatabase(registry);
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> SMTP_PORT);
        registry.add("ats.main.rate-limits.start-per-ip", () -> 10_000);
        registry.add("ats.main.rate-limits.verify-per-ip", () -> 10_000);
    }

    @Autowired
    WebTestClient http;
    @Autowired
    MutableClock clock;

    /** What a client can compare: the status, every header but Date, and the body's bytes. */
    private record Answer(int status, Map<String, List<String>> headers, String body) {
    }

    @Test
    void everyRefusedCodeGetsTheSameAnswer() {
        Api api = new Api(http);
        Map<String, Answer> answers = new LinkedHashMap<>();

        answers.put("nobody is signing in", answer(api.verifyCode(someone(), "2222-2222")));

        String wrong = someone();
        SignInMail wrongMail = started(api, wrong);
        answers.put("wrong code", answer(api.verifyCode(wrong, otherThan(wrongMail.code()))));

        String exhausted = someone();
        SignInMail exhaustedMail = started(api, exhausted);
        int maxAttempts = 5;
        for (int i = 1; i < maxAttempts; i++) {
            answers.put("wrong code " + (i + 1), answer(api.verifyCode(exhausted, otherThan(exhaustedMail.code()))));
        }
        answers.put("attempts used up", answer(api.verifyCode(exhausted, otherThan(exhaustedMail.code()))));
        answers.put("right code after the attempts", answer(api.verifyCode(exhausted, exhaustedMail.code())));

        String used = someone();
        SignInMail usedMail = started(api, used);
        api.tokens(api.verifyCode(used, usedMail.code()));
        answers.put("already used", answer(api.verifyCode(used, usedMail.code())));

        // Last: moving the clock expires every flow of this context.
        String expired = someone();
        SignInMail expiredMail = started(api, expired);
        clock.advance(Duration.ofMinutes(15).plusSeconds(1));
        answers.put("expired", answer(api.verifyCode(expired, expiredMail.code())));

        Answer first = answers.get("nobody is signing in");
        assertThat(first.status()).isEqualTo(400);
        assertThat(first.body()).contains("https://ats.run/problems/invalid-code");
        answers.forEach((reason, answer) -> assertThat(answer).as(reason).isEqualTo(first));
    }

    private SignInMail started(Api api, String email) {
        api.start(email);
        return SignInMails.latestTo(smtp, email);
    }

    private static Answer answer(WebTestClient.ResponseSpec response) {
        EntityExchangeResult<byte[]> result = response.expectBody().returnResult();
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        result.getResponseHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase(HttpHeaders.DATE)) {
                headers.put(name, values);
            }
        });
        byte[] body = result.getResponseBody();
        return new Answer(result.getStatus().value(), headers, body == null ? "" : new String(body, StandardCharsets.UTF_8));
    }

    private static String otherThan(String code) {
        return code.startsWith("2") ? "3333-3333" : "2222-2222";
    }

    private static String someone() {
        return "a" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }
}
