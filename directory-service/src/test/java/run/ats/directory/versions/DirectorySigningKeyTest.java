package run.ats.directory.versions;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import run.ats.directory.testsupport.TestPostgres;
import run.ats.protocol.crypto.Ed25519;
import run.ats.protocol.directory.Directory;
import run.ats.protocol.directory.SignedDirectory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The directory signing with {@code ats.directory.signing-key} (as the chart and run-local give it):
 * the key it serves and signs with is that one, so relays can pin it before the directory first
 * runs; and a newest version signed with another key (the key before it moved to a secret) is
 * signed again at once rather than served until something changes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.directory.publish-interval=200ms",
        "ats.directory.main-url=http://127.0.0.1:9"})
class DirectorySigningKeyTest {

    // Made by Helm's genPrivateKey "ed25519"; its public key from `openssl pkey -pubout`.
    private static final String PEM = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEILQ7L+uLF9kg4jrxWg+PIjaJkiriaq1LF2PxVW+9U5sQ\n-----END PRIVATE KEY-----\n";
    private static final String PUBLIC = "cbOnzIBvZkj81cHlzotWezCFbZ4xkMygdidN2tZyHrY";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestPostgres.freshDatabase(registry);
        registry.add("ats.directory.signing-key", () -> PEM);
    }

    @LocalServerPort
    int port;
    @Autowired
    DatabaseClient db;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void signsWithTheConfiguredKeyAndSignsAgainWhatAnotherKeySigned() throws Exception {
        assertThat(get("/v1/directory/key").body()).contains("\"publicKey\":\"" + PUBLIC + "\"");
        PublicKey pinned = Ed25519.publicKey(Base64.getUrlDecoder().decode(PUBLIC));
        Directory first = awaitVersion(1, pinned);

        // The newest version as a directory signing with its old (database) key left it: same content, another key.
        Directory same = new Directory(first.version() + 1, first.issuedAt(), first.rootsPerTree(), first.relays());
        String foreign = SignedDirectory.sign(same, KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate()).toJson();
        db.sql("INSERT INTO directory_versions (version, issued_ms, signed_json) VALUES (:v, :at, :json)")
                .bind("v", same.version()).bind("at", same.issuedAt()).bind("json", foreign)
                .then().block(Duration.ofSeconds(5));

        Directory again = awaitVersion(same.version() + 1, pinned);
        assertThat(again.relays()).isEqualTo(first.relays());
    }

    /** Polls (bounded) until the served version is at least {@code version} and verifies with {@code key}. */
    private Directory awaitVersion(long version, PublicKey key) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> answer = get("/v1/directory");
            last = answer.statusCode() + " " + answer.body();
            if (answer.statusCode() == 200) {
                SignedDirectory signed = SignedDirectory.parse(answer.body());
                if (signed.directory().version() >= version) {
                    return signed.verifiedWith(key);
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no version " + version + " signed with the pinned key within 15 s; last answer " + last);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
