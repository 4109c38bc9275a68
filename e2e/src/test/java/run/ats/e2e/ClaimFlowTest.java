package run.ats.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import run.ats.protocol.directory.Directory;
import run.ats.testkit.ServiceProcess;
import run.ats.testkit.Suite;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A relay is claimed as its operator would do it, with the real jars: the relay prints a claim
 * code, a signed-in person claims it through the main server, the main server registers it
 * with the directory, the relay's heartbeats make it a weighted member of the next signed
 * version, and the relay holds that version from the directory's stream.
 */
class ClaimFlowTest {

    private static Suite suite;
    private static Suite.Relay relay;

    @BeforeAll
    static void startSuite() throws Exception {
        suite = new Suite();
        relay = new Suite.Relay("relay", ServiceProcess.freePort(), Files.createTempDirectory("e2e-relay").resolve("relay.key"));
    }

    @AfterAll
    static void stopSuite() throws Exception {
        suite.close();
    }

    @Test
    void anOperatorClaimsARelayAndItJoinsTheSignedDirectory() throws Exception {
        suite.start(relay);
        String code = relay.process.awaitOutput(Suite.CLAIM_CODE, Duration.ofSeconds(30));
        String alice = suite.signIn("alice@example.com");
        String bob = suite.signIn("bob@example.com");

        // Bad claims: no token, a malformed code, a code nobody shows.
        assertThat(suite.post(suite.main, "/v1/relays/claim", "{\"claimCode\":\"" + code + "\"}", null).statusCode()).isEqualTo(401);
        assertProblem(suite.post(suite.main, "/v1/relays/claim", "{\"claimCode\":\"nope\"}", alice), 400, "malformed-claim-code");
        assertProblem(suite.post(suite.main, "/v1/relays/claim", "{\"claimCode\":\"2222-2222-2222\"}", alice), 404, "no-such-claim-code");

        // The code, typed carelessly, claims it.
        HttpResponse<String> claimed = suite.post(suite.main, "/v1/relays/claim",
                "{\"claimCode\":\"" + code.toLowerCase().replace("-", " ") + "\"}", alice);
        assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(201);
        JsonNode answer = Suite.json(claimed.body());
        assertThat(answer.get("relayId").asString()).isEqualTo(relay.id);
        assertThat(answer.get("publicUrl").asString()).isEqualTo(relay.ws());
        // Once only: the code is spent, for the claimer and for anyone else.
        assertProblem(suite.post(suite.main, "/v1/relays/claim", "{\"claimCode\":\"" + code + "\"}", bob), 404, "no-such-claim-code");

        // The directory lists it with a weight once its heartbeats arrive; the relay holds that version.
        Directory listed = suite.awaitDirectory(suite.directory.url() + "/v1/directory",
                d -> d.relay(relay.id).map(e -> e.weight() > 0).orElse(false), Duration.ofSeconds(20));
        assertThat(listed.relay(relay.id).orElseThrow().url()).isEqualTo(relay.ws());
        suite.awaitDirectory(relay.http() + "/v1/directory", d -> d.version() >= listed.version(), Duration.ofSeconds(20));

        // The owner sees it answering; nobody else sees it at all.
        JsonNode mine = null;
        for (int i = 0; i < 100; i++) {
            mine = Suite.json(suite.get(suite.main, "/v1/relays", alice).body());
            if (mine.size() == 1 && "answering".equals(mine.get(0).path("status").asString())) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(mine.get(0).get("relayId").asString()).isEqualTo(relay.id);
        assertThat(mine.get(0).get("status").asString()).isEqualTo("answering");
        assertThat(Suite.json(suite.get(suite.main, "/v1/relays", bob).body())).isEmpty();

        // Restarted, the relay learns it is claimed and shows no code.
        suite.kill(relay);
        suite.start(relay);
        relay.process.awaitOutput(Pattern.compile("Relay ([a-z2-7]{32}) is claimed"), Duration.ofSeconds(30));
        assertThat(relay.process.output()).doesNotContain("claim code");
    }

    @Test
    void aForgedEnrollmentIsRefused() throws Exception {
        String forged = "{\"publicKey\":\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32])
                + "\",\"url\":\"wss://x.example/v1/ws\",\"sentAt\":" + System.currentTimeMillis() + ",\"signature\":\"AAAA\"}";
        assertProblem(suite.post(suite.main, "/v1/relays/enrollments", forged, null), 400, "bad-enrollment");
        assertProblem(suite.post(suite.main, "/v1/relays/enrollments", "{}", null), 400, "bad-enrollment");
    }

    private static void assertProblem(HttpResponse<String> response, int status, String slug) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).contains("https://ats.run/problems/" + slug);
    }
}
