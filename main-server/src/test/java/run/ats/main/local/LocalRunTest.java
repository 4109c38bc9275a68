package run.ats.main.local;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient;
import run.ats.main.testsupport.Api;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The newcomer's local run: the "local" profile on the embedded H2 store, mail in the local
 * inbox, the sign-in page at /. Same server code as production; only storage and mail differ.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.r2dbc.url=r2dbc:h2:mem:///localrun?options=DB_CLOSE_DELAY=-1")
@ActiveProfiles("local")
@AutoConfigureWebTestClient
class LocalRunTest {

    @Autowired
    WebTestClient http;

    @Test
    void signInThroughTheLocalInbox() {
        Api api = new Api(http);
        http.get().uri("/").exchange().expectStatus().isOk()
                .expectBody(String.class).value(page -> assertThat(page).contains("<title>ATS</title>", "Send me a code"));
        http.get().uri("/local/inbox").exchange().expectStatus().isOk()
                .expectBody(String.class).value(page -> assertThat(page).contains("No mail yet"));

        api.start("newcomer@example.com");
        String inbox = http.get().uri("/local/inbox").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        Matcher code = Pattern.compile("\\b([2-9A-Z]{4}-[2-9A-Z]{4})\\b").matcher(inbox);
        assertThat(code.find()).as("a code in the inbox page").isTrue();
        assertThat(inbox).contains("/signin#token=");

        Api.Tokens tokens = api.tokens(api.verifyCode("newcomer@example.com", code.group(1)));
        api.me(tokens.accessToken()).expectStatus().isOk().expectBody().jsonPath("$.email").isEqualTo("newcomer@example.com");
    }
}
