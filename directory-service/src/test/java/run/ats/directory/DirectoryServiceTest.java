package run.ats.directory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import run.ats.directory.testsupport.MainServerKeys;
import run.ats.directory.testsupport.TestPostgres;
import run.ats.protocol.crypto.Ed25519;
import run.ats.protocol.directory.Directory;
import run.ats.protocol.directory.RelayHeartbeat;
import run.ats.protocol.directory.SignedDirectory;
import run.ats.protocol.relay.RelayId;
import run.ats.protocol.topic.TopicTag;
import run.ats.protocol.tree.RootRanking;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** The directory against real PostgreSQL, over real HTTP and WebSocket connections. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.directory.publish-interval=200ms",
        "ats.directory.answering-within=5s"})
class DirectoryServiceTest {

    static final String OPERATOR_TOKEN = "operator-secret-for-tests";
    private static final MainServerKeys MAIN = newMain();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        TestPostgres.freshDatabase(registry);
        registry.add("ats.directory.main-url", MAIN::url);
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(OPERATOR_TOKEN.getBytes(StandardCharsets.UTF_8)));
        registry.add("ats.directory.operator-token-hash", () -> hash);
    }

    @AfterAll
    static void stopMain() {
        MAIN.close();
    }

    @LocalServerPort
    int port;
    @LocalManagementPort
    int managementPort;

    @Test
    void healthAndMetricsAnswerOnlyOnTheManagementPort() throws Exception {
        for (String path : List.of("/actuator/health", "/actuator/health/readiness", "/actuator/prometheus", "/actuator/info", "/actuator")) {
            assertThat(get(path).statusCode()).as("public " + path).isEqualTo(404);
        }
        assertThat(management("/actuator/health/readiness").body()).contains("\"UP\"");
        assertThat(management("/actuator/prometheus").body()).contains("ats_directory_version");
    }

    @Test
    void registeringARelayTakesAServiceTokenFromTheMainServer() throws Exception {
        KeyPair relay = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String body = registration(relay.getPublic(), "wss://r1.example/v1/link");

        assertProblem(post("/v1/relays", body, null), 401, "unauthorized");
        assertProblem(post("/v1/relays", body, MAIN.serviceToken("ats-main")), 401, "unauthorized");
        assertProblem(post("/v1/relays", body, MAIN.expiredServiceToken("ats-directory")), 401, "unauthorized");
        assertProblem(post("/v1/relays", body, MainServerKeys.foreignServiceToken("ats-directory")), 401, "unauthorized");
        assertProblem(post("/v1/relays", body, "garbage"), 401, "unauthorized");

        HttpResponse<String> created = post("/v1/relays", body, MAIN.serviceToken("ats-directory"));
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(created.body()).get("relayId").asString()).isEqualTo(RelayId.of(relay.getPublic()));
        // Again (say the relay moved): the same id, the new URL.
        assertThat(post("/v1/relays", registration(relay.getPublic(), "wss://r1.example:8443/v1/link"),
                MAIN.serviceToken("ats-directory")).statusCode()).isEqualTo(201);
    }

    @Test
    void badRegistrationsAreProblems() throws Exception {
        String token = MAIN.serviceToken("ats-directory");
        KeyPair relay = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        assertProblem(post("/v1/relays", "{\"publicKey\":\"AAAA\",\"url\":\"wss://x.example\"}", token), 400, "bad-relay");
        assertProblem(post("/v1/relays", registration(relay.getPublic(), "http://x.example"), token), 400, "bad-relay");
        assertProblem(post("/v1/relays", registration(relay.getPublic(), "wss://x.example").replace("}", ",\"owner\":\"me\"}"), token),
                400, "unknown-field");
        assertProblem(post("/v1/relays", "{", token), 400, "malformed-body");
    }

    @Test
    void heartbeatsMustBeSignedFreshAndNew() throws Exception {
        KeyPair relay = registered("wss://hb.example/v1/link");
        String id = RelayId.of(relay.getPublic());
        long now = System.currentTimeMillis();
        String beat = RelayHeartbeat.sign(id, now, 3600, 5, 10, relay.getPrivate()).toJson();

        assertThat(post("/v1/relays/" + id + "/heartbeats", beat, null).statusCode()).isEqualTo(204);
        assertProblem(post("/v1/relays/" + id + "/heartbeats", beat, null), 409, "replayed-heartbeat");
        KeyPair impostor = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        assertProblem(post("/v1/relays/" + id + "/heartbeats", RelayHeartbeat.sign(id, now + 1, 3600, 5, 10, impostor.getPrivate()).toJson(), null),
                401, "bad-signature");
        assertProblem(post("/v1/relays/" + id + "/heartbeats", RelayHeartbeat.sign(id, now - 120_000, 3600, 5, 10, relay.getPrivate()).toJson(), null),
                400, "stale-heartbeat");
        String stranger = RelayId.of(impostor.getPublic());
        assertProblem(post("/v1/relays/" + stranger + "/heartbeats", RelayHeartbeat.sign(stranger, now, 1, 0, 0, impostor.getPrivate()).toJson(), null),
                404, "unknown-relay");
        assertProblem(post("/v1/relays/" + stranger + "/heartbeats", beat, null), 400, "bad-heartbeat");
        assertProblem(post("/v1/relays/" + id + "/heartbeats", "{\"relayId\":1}", null), 400, "bad-heartbeat");
    }

    @Test
    void versionsAreSignedCarryHealthAndAgreeWithTheRanking() throws Exception {
        List<KeyPair> relays = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            KeyPair relay = registered("wss://v" + i + ".example/v1/link");
            relays.add(relay);
            // One new relay (weight 2), one loaded (1), two healthy (4).
            long uptime = i == 0 ? 60 : 3600;
            int load = i == 1 ? 90 : 10;
            post("/v1/relays/" + RelayId.of(relay.getPublic()) + "/heartbeats",
                    RelayHeartbeat.sign(RelayId.of(relay.getPublic()), System.currentTimeMillis(), uptime, 3, load, relay.getPrivate()).toJson(), null);
        }
        Directory directory = awaitVersion(d -> relays.stream().allMatch(r -> d.relay(RelayId.of(r.getPublic()))
                .map(e -> e.weight() > 0).orElse(false)));
        assertThat(directory.relay(RelayId.of(relays.get(0).getPublic())).orElseThrow().weight()).isEqualTo(2);
        assertThat(directory.relay(RelayId.of(relays.get(1).getPublic())).orElseThrow().weight()).isEqualTo(1);
        assertThat(directory.relay(RelayId.of(relays.get(2).getPublic())).orElseThrow().weight()).isEqualTo(4);

        // The metrics say what the newest version says: relays answering and silent (weight 0).
        awaitMetricsAgreeWithTheDirectory();

        // Nothing changes: no new version.
        long version = directory.version();
        Thread.sleep(800);
        assertThat(fetchDirectory().version()).isEqualTo(version);

        // The roots endpoint says what anyone computes from the signed version.
        for (String topic : List.of("ice_block", "lost_pet", "a", "b", "c")) {
            String tag = TopicTag.of(topic);
            JsonNode roots = JSON.readTree(get("/v1/trees/" + tag + "/dqcj/roots").body());
            Directory now = fetchDirectory();
            List<String> expected = RootRanking.roots(RootRanking.treeKey(tag, "dqcj"), now.candidates(), now.rootsPerTree());
            List<String> served = new ArrayList<>();
            roots.get("roots").forEach(r -> served.add(r.asString()));
            assertThat(served).isEqualTo(expected);
        }
        assertProblem(get("/v1/trees/bad!tag/dqcj/roots"), 400, "bad-tag");
        assertProblem(get("/v1/trees/abc/dqcja/roots"), 400, "bad-cell");
        assertProblem(get("/v1/trees/abc/aaaa/roots"), 400, "bad-cell");
    }

    @Test
    void theOperatorChangesNAndTheNextVersionCarriesIt() throws Exception {
        awaitVersion(d -> true);
        assertProblem(put("/v1/operator/roots-per-tree", "{\"rootsPerTree\":5}", null), 401, "unauthorized");
        assertProblem(put("/v1/operator/roots-per-tree", "{\"rootsPerTree\":5}", "wrong"), 401, "unauthorized");
        assertThat(put("/v1/operator/roots-per-tree", "{\"rootsPerTree\":0}", OPERATOR_TOKEN).statusCode()).isEqualTo(400);

        assertThat(put("/v1/operator/roots-per-tree", "{\"rootsPerTree\":5}", OPERATOR_TOKEN).statusCode()).isEqualTo(202);
        assertThat(awaitVersion(d -> d.rootsPerTree() == 5).rootsPerTree()).isEqualTo(5);
        assertThat(put("/v1/operator/roots-per-tree", "{\"rootsPerTree\":3}", OPERATOR_TOKEN).statusCode()).isEqualTo(202);
        awaitVersion(d -> d.rootsPerTree() == 3);
    }

    @Test
    void theStreamSendsTheNewestVersionThenEachNewOne() throws Exception {
        Directory before = awaitVersion(d -> true);
        LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/directory/stream"),
                new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            frames.add(partial.toString());
                            partial.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }
                }).join();
        try {
            Directory first = verified(frames.poll(5, TimeUnit.SECONDS));
            assertThat(first.version()).isGreaterThanOrEqualTo(before.version());

            registered("wss://stream.example/v1/link");
            Directory next = verified(frames.poll(5, TimeUnit.SECONDS));
            assertThat(next.version()).isGreaterThan(first.version());
        } finally {
            socket.abort();
        }
    }

    // --- helpers

    private Directory awaitVersion(Predicate<Directory> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Directory last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = get("/v1/directory");
            if (response.statusCode() == 200) {
                last = verified(response.body());
                if (condition.test(last)) {
                    return last;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no directory version met the condition within 10 s; last: " + last);
    }

    private void awaitMetricsAgreeWithTheDirectory() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String seen = "";
        while (System.nanoTime() < deadline) {
            Directory now = fetchDirectory();
            long answering = now.relays().stream().filter(r -> r.weight() > 0).count();
            long silent = now.relays().size() - answering;
            String metrics = management("/actuator/prometheus").body();
            seen = metrics.lines().filter(l -> l.startsWith("ats_directory_")).toList().toString();
            if (answering >= 4 && metrics.contains("ats_directory_relays{application=\"directory-service\",state=\"answering\"} " + answering + ".0")
                    && metrics.contains("ats_directory_relays{application=\"directory-service\",state=\"silent\"} " + silent + ".0")
                    && metrics.contains("ats_directory_version{application=\"directory-service\"} " + now.version() + ".0")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the directory's metrics never agreed with its newest version: " + seen);
    }

    private Directory fetchDirectory() throws Exception {
        HttpResponse<String> response = get("/v1/directory");
        assertThat(response.statusCode()).isEqualTo(200);
        return verified(response.body());
    }

    private Directory verified(String json) throws Exception {
        assertThat(json).as("a directory version").isNotNull();
        String key = JSON.readTree(get("/v1/directory/key").body()).get("publicKey").asString();
        return SignedDirectory.parse(json).verifiedWith(Ed25519.publicKey(Base64.getUrlDecoder().decode(key)));
    }

    private KeyPair registered(String url) throws Exception {
        KeyPair relay = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        assertThat(post("/v1/relays", registration(relay.getPublic(), url), MAIN.serviceToken("ats-directory")).statusCode()).isEqualTo(201);
        return relay;
    }

    private static String registration(PublicKey key, String url) {
        return "{\"publicKey\":\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(Ed25519.raw(key)) + "\",\"url\":\"" + url + "\"}";
    }

    private static void assertProblem(HttpResponse<String> response, int status, String slug) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(response.body()).contains("https://ats.run/problems/" + slug);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> management(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return response;
    }

    private HttpResponse<String> post(String path, String body, String bearer) throws Exception {
        return send("POST", path, body, bearer);
    }

    private HttpResponse<String> put(String path, String body, String bearer) throws Exception {
        return send("PUT", path, body, bearer);
    }

    private HttpResponse<String> send(String method, String path, String body, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static MainServerKeys newMain() {
        try {
            return new MainServerKeys();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
