package run.ats.e2e;

import org.junit.jupiter.api.AfterAll;
import run.ats.testkit.ServiceProcess;
import run.ats.testkit.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import run.ats.protocol.crypto.Ed25519;
import run.ats.protocol.directory.Directory;
import run.ats.protocol.directory.SignedDirectory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A relay is claimed as its operator would do it, with the real jars: the relay prints a claim
 * code, a signed-in person claims it through the main server, the main server registers it
 * with the directory, the relay's heartbeats make it a weighted member of the next signed
 * version, and the relay holds that version from the directory's stream.
 */
class ClaimFlowTest {

    private static final Pattern CLAIM_CODE = Pattern.compile("claim code ([2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4})");
    private static final Pattern RELAY_ID = Pattern.compile("Relay id ([a-z2-7]{32})");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<ServiceProcess> services = new ArrayList<>();
    private static ServiceProcess directory;
    private static ServiceProcess main;
    private static int relayPort;
    private static Path relayKey;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startSuite() throws Exception {
        int mainPort = ServiceProcess.freePort();
        directory = started(ServiceProcess.start("directory", "directory-service", ServiceProcess.freePort(), with(
                TestPostgres.freshDatabase().arguments(),
                "--ats.directory.main-url=http://127.0.0.1:" + mainPort, "--ats.directory.publish-interval=200ms")));
        main = started(ServiceProcess.start("main", "main-server", mainPort, with(TestPostgres.freshDatabase().arguments(),
                "--ats.main.public-url=http://127.0.0.1:" + mainPort, "--ats.main.mail.local-inbox=true",
                "--ats.main.directory-url=" + directory.url())));
        relayPort = ServiceProcess.freePort();
        relayKey = Files.createTempDirectory("e2e-relay").resolve("relay.key");
    }

    @AfterAll
    static void stopSuite() throws Exception {
        for (ServiceProcess service : services.reversed()) {
            service.close();
        }
    }

    @Test
    void anOperatorClaimsARelayAndItJoinsTheSignedDirectory() throws Exception {
        ServiceProcess relay = started(startRelay("relay"));
        String code = relay.awaitOutput(CLAIM_CODE, Duration.ofSeconds(30));
        String relayId = relay.awaitOutput(RELAY_ID, Duration.ofSeconds(5));
        String alice = signIn("alice@example.com");
        String bob = signIn("bob@example.com");

        // Bad claims: no token, a malformed code, a code nobody shows.
        assertThat(post(main, "/v1/relays/claim", "{\"claimCode\":\"" + code + "\"}", null).statusCode()).isEqualTo(401);
        assertProblem(post(main, "/v1/relays/claim", "{\"claimCode\":\"nope\"}", alice), 400, "malformed-claim-code");
        assertProblem(post(main, "/v1/relays/claim", "{\"claimCode\":\"2222-2222-2222\"}", alice), 404, "no-such-claim-code");

        // The code, typed carelessly, claims it.
        HttpResponse<String> claimed = post(main, "/v1/relays/claim", "{\"claimCode\":\"" + code.toLowerCase().replace("-", " ") + "\"}", alice);
        assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(201);
        JsonNode answer = JSON.readTree(claimed.body());
        assertThat(answer.get("relayId").asString()).isEqualTo(relayId);
        assertThat(answer.get("publicUrl").asString()).isEqualTo("ws://127.0.0.1:" + relayPort + "/v1/ws");
        // Once only: the code is spent, for the claimer and for anyone else.
        assertProblem(post(main, "/v1/relays/claim", "{\"claimCode\":\"" + code + "\"}", bob), 404, "no-such-claim-code");

        // The directory lists it with a weight once its heartbeats arrive; the relay holds that version.
        Directory listed = awaitDirectory(directory.url() + "/v1/directory",
                d -> d.relay(relayId).map(e -> e.weight() > 0).orElse(false));
        assertThat(listed.relay(relayId).orElseThrow().url()).isEqualTo("ws://127.0.0.1:" + relayPort + "/v1/ws");
        awaitDirectory("http://127.0.0.1:" + relayPort + "/v1/directory", d -> d.version() >= listed.version());

        // The owner sees it answering; nobody else sees it at all.
        JsonNode mine = awaitJson(() -> get(main, "/v1/relays", alice).body(), list -> list.size() == 1
                && "answering".equals(list.get(0).path("status").asString()));
        assertThat(mine.get(0).get("relayId").asString()).isEqualTo(relayId);
        assertThat(JSON.readTree(get(main, "/v1/relays", bob).body())).isEmpty();

        // Restarted, the relay learns it is claimed and shows no code.
        relay.close();
        services.remove(relay);
        ServiceProcess again = started(startRelay("relay-restarted"));
        again.awaitOutput(Pattern.compile("Relay ([a-z2-7]{32}) is claimed"), Duration.ofSeconds(30));
        assertThat(again.output()).doesNotContain("claim code");
    }

    @Test
    void aForgedEnrollmentIsRefused() throws Exception {
        String forged = "{\"publicKey\":\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32])
                + "\",\"url\":\"wss://x.example/v1/ws\",\"sentAt\":" + System.currentTimeMillis() + ",\"signature\":\"AAAA\"}";
        assertProblem(post(main, "/v1/relays/enrollments", forged, null), 400, "bad-enrollment");
        assertProblem(post(main, "/v1/relays/enrollments", "{}", null), 400, "bad-enrollment");
    }

    // --- helpers

    private static ServiceProcess startRelay(String name) throws Exception {
        return ServiceProcess.start(name, "relay-service", relayPort, List.of(
                "--ats.relay.main-url=" + main.url(), "--ats.relay.directory-url=" + directory.url(),
                "--ats.relay.key-file=" + relayKey, "--ats.relay.public-url=ws://127.0.0.1:" + relayPort + "/v1/ws",
                "--ats.relay.heartbeat-interval=500ms"));
    }

    private String signIn(String email) throws Exception {
        assertThat(post(main, "/v1/auth/email/start", "{\"email\":\"" + email + "\"}", null).statusCode()).isEqualTo(202);
        Pattern mailCode = Pattern.compile(Pattern.quote(email) + ".*?([2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4})", Pattern.DOTALL);
        String code = null;
        for (int i = 0; i < 50 && code == null; i++) {
            Matcher matcher = mailCode.matcher(get(main, "/local/inbox", null).body());
            code = matcher.find() ? matcher.group(1) : null;
            Thread.sleep(code == null ? 100 : 0);
        }
        assertThat(code).as("a sign-in code for " + email + " in the local inbox").isNotNull();
        HttpResponse<String> tokens = post(main, "/v1/auth/email/verify", "{\"email\":\"" + email + "\",\"code\":\"" + code + "\"}", null);
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        return JSON.readTree(tokens.body()).get("accessToken").asString();
    }

    private Directory awaitDirectory(String url, java.util.function.Predicate<Directory> condition) throws Exception {
        String key = JSON.readTree(get(directory, "/v1/directory/key", null).body()).get("publicKey").asString();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Directory last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                last = SignedDirectory.parse(response.body()).verifiedWith(Ed25519.publicKey(Base64.getUrlDecoder().decode(key)));
                if (condition.test(last)) {
                    return last;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(url + " never served a version meeting the condition; last " + last);
    }

    private interface Body {
        String get() throws Exception;
    }

    private static JsonNode awaitJson(Body body, java.util.function.Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = JSON.readTree(body.get());
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("never met the condition; last " + last);
    }

    private static void assertProblem(HttpResponse<String> response, int status, String slug) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).contains("https://ats.run/problems/" + slug);
    }

    private HttpResponse<String> get(ServiceProcess service, String path, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url() + path));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(ServiceProcess service, String path, String body, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ServiceProcess started(ServiceProcess service) {
        services.add(service);
        return service;
    }

    private static List<String> with(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }
}
