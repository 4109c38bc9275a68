package run.ats.verifier.deploy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import run.ats.verifier.testsupport.Http;
import run.ats.verifier.testsupport.Keys;
import run.ats.verifier.testsupport.KmsSite;
import run.ats.verifier.testsupport.TestPostgres;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;

import static org.assertj.core.api.Assertions.assertThat;

/** Repeated requests share one verification, unless the log moved since: then the answer is fresh. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.verifier.verify-cache=1h", "ats.verifier.fetch.allow-loopback=true", "ats.verifier.monitor.enabled=false"})
class VerifyCacheTest {

    private static final KeyPair RELEASE_KEY = Keys.ed25519();
    private static final KmsSite SITE = KmsSite.start();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestPostgres.freshDatabase(registry);
        registry.add("ats.verifier.release-keys", () -> KmsSite.publicKeyBase64(RELEASE_KEY.getPublic()));
        registry.add("ats.verifier.origins", () -> SITE.origin().toString());
    }

    @LocalServerPort
    int port;

    @AfterAll
    static void stopSite() {
        SITE.close();
    }

    @Test
    void aReleaseLoggedSinceMakesTheNextVerificationFresh() throws Exception {
        JsonNode before = verify();
        assertThat(before.get("verdict").asString()).isEqualTo("mismatch");
        // Within the cache time, with the log unchanged: the same verification answers.
        SITE.put("icon.svg", "<svg/>");
        assertThat(verify().get("checkedAt").asString()).isEqualTo(before.get("checkedAt").asString());

        assertThat(new Http(port).post("/v1/releases", SITE.signedRelease("1.0.0", RELEASE_KEY.getPrivate())).statusCode()).isEqualTo(201);
        JsonNode after = verify();
        assertThat(after.get("verdict").asString()).isEqualTo("match");
        assertThat(after.get("checkedAt").asString()).isNotEqualTo(before.get("checkedAt").asString());
    }

    private JsonNode verify() throws Exception {
        var response = new Http(port).get("/v1/verify?origin=" + URLEncoder.encode(SITE.origin().toString(), StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JsonMapper.builder().build().readTree(response.body());
    }
}
