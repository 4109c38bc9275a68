package run.ats.main.session;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import run.ats.main.testsupport.Api;
import run.ats.main.testsupport.FreePorts;
import run.ats.main.testsupport.MainServerTestConfig;
import run.ats.main.testsupport.MutableClock;
import run.ats.main.testsupport.SignInMails;
import run.ats.main.testsupport.TestPostgres;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Access tokens, refresh rotation, relay tokens and JWKS, checked the way a stranger would check them. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@Import(MainServerTestConfig.class)
class SessionTokensTest {

    private static final int SMTP_PORT = FreePorts.next();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @RegisterExtension
    static GreenMailExtension smtp = new GreenMailExtension(new ServerSetup(SMTP_PORT, "127.0.0.1", "smtp"))
            .withPerMethodLifecycle(false);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestPostgres.freshDatabase(registry);
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> SMTP_PORT);
    }

    @Autowired
    WebTestClient http;
    @Autowired
    MutableClock clock;

    private Api.Tokens signIn() {
        Api api = new Api(http);
        String email = "s" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        api.start(email);
        return api.tokens(api.verifyCode(email, SignInMails.latestTo(smtp, email).code()));
    }

    private WebTestClient.ResponseSpec refresh(String refreshToken) {
        return new Api(http).post("/v1/auth/refresh", Map.of("refreshToken", refreshToken), null);
    }

    @Test
    void refreshRotatesTheToken() {
        Api.Tokens first = signIn();
        Api.Tokens second = new Api(http).tokens(refresh(first.refreshToken()));

        assertThat(second.refreshToken()).isNotEqualTo(first.refreshToken());
        new Api(http).me(second.accessToken()).expectStatus().isOk();
        new Api(http).tokens(refresh(second.refreshToken()));
    }

    @Test
    void reusedRefreshTokenRevokesTheWholeFamily() {
        Api.Tokens first = signIn();
        Api.Tokens second = new Api(http).tokens(refresh(first.refreshToken()));

        refresh(first.refreshToken()).expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.type").isEqualTo("https://ats.run/problems/refresh-reused");
        // The thief's copy and the owner's newer token are both dead now.
        refresh(second.refreshToken()).expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.type").isEqualTo("https://ats.run/problems/refresh-revoked");
    }

    @Test
    void logoutEndsTheSession() {
        Api.Tokens tokens = signIn();
        new Api(http).post("/v1/auth/logout", Map.of("refreshToken", tokens.refreshToken()), null)
                .expectStatus().isNoContent();
        refresh(tokens.refreshToken()).expectStatus().isUnauthorized();
        refresh("never-issued").expectStatus().isUnauthorized()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void expiredRefreshTokenIsRefused() {
        Api.Tokens tokens = signIn();
        clock.advance(Duration.ofDays(31));
        try {
            refresh(tokens.refreshToken()).expectStatus().isUnauthorized()
                    .expectBody().jsonPath("$.type").isEqualTo("https://ats.run/problems/refresh-expired");
        } finally {
            clock.advance(Duration.ofDays(-31));
        }
    }

    @Test
    void badAccessTokensAreRefused() throws Exception {
        Api.Tokens tokens = signIn();
        String[] parts = tokens.accessToken().split("\\.");
        Api api = new Api(http);

        // Tampered payload: another subject, the old signature.
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replaceFirst("\"sub\":\"[^\"]+\"", "\"sub\":\"" + UUID.randomUUID() + "\"");
        api.me(parts[0] + "." + b64(payload) + "." + parts[2]).expectStatus().isUnauthorized()
                .expectHeader().valueEquals("WWW-Authenticate", "Bearer error=\"invalid_token\"")
                .expectBody().jsonPath("$.status").isEqualTo(401);
        // alg: none, no signature.
        api.me(b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".").expectStatus().isUnauthorized();
        // HS256 keyed with the public JWK: the classic algorithm confusion.
        String kid = JSON.readTree(Base64.getUrlDecoder().decode(parts[0])).get("kid").asString();
        String header = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(jwks().toString().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String hs = Base64.getUrlEncoder().withoutPadding().encodeToString(
                mac.doFinal((header + "." + parts[1]).getBytes(StandardCharsets.US_ASCII)));
        api.me(header + "." + parts[1] + "." + hs).expectStatus().isUnauthorized();
        // Unknown kid.
        api.me(b64("{\"alg\":\"ES256\",\"kid\":\"nope\"}") + "." + parts[1] + "." + parts[2]).expectStatus().isUnauthorized();
        // Garbage.
        api.me("not.a.jwt").expectStatus().isUnauthorized();
    }

    @Test
    void relayTokenIsNotAnAccessToken() {
        String relayToken = relayToken(signIn().accessToken());
        new Api(http).me(relayToken).expectStatus().isUnauthorized();
    }

    @Test
    void expiredAccessTokenIsRefused() {
        clock.advance(Duration.ofMinutes(-20));
        Api.Tokens tokens;
        try {
            tokens = signIn();
        } finally {
            clock.advance(Duration.ofMinutes(20));
        }
        new Api(http).me(tokens.accessToken()).expectStatus().isUnauthorized();
        http.post().uri("/v1/relay-tokens").headers(h -> h.setBearerAuth(tokens.accessToken())).exchange()
                .expectStatus().isUnauthorized();
    }

    @Test
    void relayTokenCarriesNothingPersonalAndVerifiesAgainstJwks() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        String token = relayToken(signIn().accessToken());

        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertThat(iterable(claims.propertyNames())).containsExactlyInAnyOrder("iss", "aud", "sub", "iat", "exp", "jti");
        assertThat(claims.get("aud").asString()).isEqualTo("ats-relay");
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isLessThanOrEqualTo(3600);
        assertThat(claims.get("exp").asLong()).isGreaterThan(before.getEpochSecond());
        assertThat(verifiesIndependently(token)).isTrue();

        // Each token has its own subject: two tokens of one person do not link.
        String other = relayToken(signIn().accessToken());
        assertThat(JSON.readTree(Base64.getUrlDecoder().decode(other.split("\\.")[1])).get("sub").asString())
                .isNotEqualTo(claims.get("sub").asString());
    }

    @Test
    void accessTokenVerifiesAgainstJwksWithPlainJdkCrypto() throws Exception {
        String token = signIn().accessToken();
        assertThat(verifiesIndependently(token)).isTrue();
        char[] chars = token.toCharArray();
        int last = chars.length - 5;
        chars[last] = chars[last] == 'A' ? 'B' : 'A';
        assertThat(verifiesIndependently(new String(chars))).isFalse();
    }

    @Test
    void relayTokenNeedsASignedInCaller() {
        http.post().uri("/v1/relay-tokens").exchange().expectStatus().isUnauthorized()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }

    private String relayToken(String accessToken) {
        return http.post().uri("/v1/relay-tokens").headers(h -> h.setBearerAuth(accessToken)).exchange()
                .expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("token").asString();
    }

    private JsonNode jwks() {
        return http.get().uri("/.well-known/jwks.json").exchange()
                .expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    /** ES256 by the book, with only the JDK: the JWK's x and y, the P-256 curve, R||S signature. */
    private boolean verifiesIndependently(String token) throws Exception {
        String[] parts = token.split("\\.");
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        assertThat(header.get("alg").asString()).isEqualTo("ES256");
        for (JsonNode key : jwks().get("keys")) {
            assertThat(key.has("d")).as("JWKS must not publish private parts").isFalse();
            if (!key.get("kid").asString().equals(header.get("kid").asString())) {
                continue;
            }
            Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
            verifier.initVerify(publicKey(key));
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(Base64.getUrlDecoder().decode(parts[2]));
        }
        return false;
    }

    private static PublicKey publicKey(JsonNode jwk) throws Exception {
        assertThat(jwk.get("kty").asString()).isEqualTo("EC");
        assertThat(jwk.get("crv").asString()).isEqualTo("P-256");
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec("secp256r1"));
        ECPoint point = new ECPoint(new BigInteger(1, Base64.getUrlDecoder().decode(jwk.get("x").asString())),
                new BigInteger(1, Base64.getUrlDecoder().decode(jwk.get("y").asString())));
        return KeyFactory.getInstance("EC").generatePublic(
                new ECPublicKeySpec(point, parameters.getParameterSpec(ECParameterSpec.class)));
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static Set<String> iterable(java.util.Collection<String> names) {
        return Set.copyOf(names);
    }
}
