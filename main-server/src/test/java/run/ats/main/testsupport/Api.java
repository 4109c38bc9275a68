package run.ats.main.testsupport;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import java.util.Map;

/** The main server's HTTP API as a client sees it, over a real connection. */
public final class Api {

    private final WebTestClient http;

    public Api(WebTestClient http) {
        this.http = http;
    }

    public WebTestClient http() {
        return http;
    }

    /** Starts a sign-in and answers the browser-verifier cookie value (null if none was set). */
    public String start(String email) {
        EntityExchangeResult<byte[]> result = post("/v1/auth/email/start", Map.of("email", email), null)
                .expectStatus().isAccepted()
                .expectBody().jsonPath("$.expiresIn").isEqualTo(900)
                .returnResult();
        ResponseCookie cookie = result.getResponseCookies().getFirst("ats_signin");
        return cookie == null ? null : cookie.getValue();
    }

    public WebTestClient.ResponseSpec post(String path, Object body, String cookie) {
        return http.post().uri(path)
                .contentType(MediaType.APPLICATION_JSON)
                .headers(h -> {
                    if (cookie != null) {
                        h.add(HttpHeaders.COOKIE, "ats_signin=" + cookie);
                    }
                })
                .bodyValue(body)
                .exchange();
    }

    public WebTestClient.ResponseSpec verifyCode(String email, String code) {
        return post("/v1/auth/email/verify", Map.of("email", email, "code", code), null);
    }

    public WebTestClient.ResponseSpec verifyLink(String token, String cookie) {
        return post("/v1/auth/email/verify", Map.of("token", token), cookie);
    }

    public Tokens tokens(WebTestClient.ResponseSpec response) {
        return response.expectStatus().isOk().expectBody(Tokens.class).returnResult().getResponseBody();
    }

    public WebTestClient.ResponseSpec me(String accessToken) {
        return http.get().uri("/v1/me").headers(h -> h.setBearerAuth(accessToken)).exchange();
    }

    public record Tokens(String accessToken, String refreshToken, long expiresIn) {
    }
}
