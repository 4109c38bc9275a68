package run.ats.verifier.release;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Flux;
import run.ats.verifier.log.Checkpoint;
import run.ats.verifier.log.Evidence;
import run.ats.verifier.log.Merkle;
import run.ats.verifier.log.TransparencyLog;
import run.ats.verifier.testsupport.Http;
import run.ats.verifier.testsupport.NaiveMerkle;
import run.ats.verifier.testsupport.Keys;
import run.ats.verifier.testsupport.KmsSite;
import run.ats.verifier.testsupport.TestPostgres;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The log and release API on a real PostgreSQL, through real HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "ats.verifier.monitor.enabled=false")
class ReleasesApiTest {

    private static final KeyPair RELEASE_KEY = Keys.ed25519();
    private static final KeyPair STRANGER = Keys.ed25519();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String INDEX = "sha384-H8BRh8j48O9oYatfu5AZzq6A9RINhZO5H16dQZngK7T62em8MUt1FLm52t+eX6xO";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestPostgres.freshDatabase(registry);
        registry.add("ats.verifier.release-keys", () -> KmsSite.publicKeyBase64(RELEASE_KEY.getPublic()));
    }

    @LocalServerPort
    int port;
    @LocalManagementPort
    int managementPort;
    @Autowired
    TransparencyLog log;
    @Autowired
    DatabaseClient db;

    @Test
    void aSignedReleaseIsLoggedWithEvidenceThatChecksOut() throws Exception {
        Http http = new Http(port);
        String logKey = http.get("/v1/log/key").body().trim();
        HttpResponse<String> posted = http.post("/v1/releases", release("1.0.0", "abc"));
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
        Evidence evidence = JSON.readValue(posted.body(), Evidence.class);
        Checkpoint checkpoint = evidence.verify(logKey);
        assertThat(checkpoint.origin()).isEqualTo("ats.run/kms-log");
        SignedStatement logged = SignedStatement.fromLeafData(Base64.getDecoder().decode(evidence.entry()));
        assertThat(logged.parse().version()).isEqualTo("1.0.0");

        JsonNode byVersion = JSON.readTree(http.get("/v1/releases/1.0.0").body());
        assertThat(byVersion.get("files").get("index.html").asString()).isEqualTo(INDEX);
        assertThat(byVersion.get("deprecated").isNull()).isTrue();
        JSON.treeToValue(byVersion.get("evidence"), Evidence.class).verify(logKey);

        JsonNode byFile = JSON.readTree(http.get("/v1/releases?file=" + URLEncoder.encode(INDEX, StandardCharsets.UTF_8)
                + "&path=index.html").body());
        assertThat(byFile.get("releases").findValuesAsString("version")).contains("1.0.0");
        assertThat(JSON.readTree(http.get("/v1/releases?file=" + URLEncoder.encode("sha384-" + "A".repeat(64), StandardCharsets.UTF_8))
                .body()).get("releases").size()).isZero();
        assertThat(http.get("/v1/log/checkpoint").body()).startsWith("ats.run/kms-log\n");
    }

    @Test
    void theApiIsDescribedAndTheServiceReportsItsHealthOnlyOnTheManagementPort() throws Exception {
        Http http = new Http(port);
        String api = http.get("/v3/api-docs").body();
        for (String path : List.of("/v1/releases", "/v1/releases/{version}", "/v1/releases/{version}/deprecation", "/v1/log/checkpoint",
                "/v1/log/key", "/v1/log/proof/inclusion", "/v1/log/proof/consistency", "/v1/log/entries/{index}", "/v1/verify",
                "/v1/status", "/v1/status/badge", "/v1/status/history")) {
            assertThat(api).contains("\"" + path + "\"");
        }
        for (String path : List.of("/actuator/health", "/actuator/health/readiness", "/actuator/prometheus", "/actuator/info", "/actuator")) {
            assertThat(http.get(path).statusCode()).as("public " + path).isEqualTo(404);
        }
        Http management = new Http(managementPort);
        assertThat(management.get("/actuator/health/readiness").body()).contains("UP");
        assertThat(management.get("/actuator/prometheus").statusCode()).isEqualTo(200);
    }

    @Test
    void badStatementsAreProblemsAndAppendNothing() throws Exception {
        Http http = new Http(port);
        http.post("/v1/releases", release("2.0.0", "def"));
        long size = log.head().block(Duration.ofSeconds(5)).size();

        assertProblem(http.post("/v1/releases", KmsSite.signedBody(statement("2.0.1", "aaa"), STRANGER.getPrivate())), 403, "not-signed");
        assertProblem(http.post("/v1/releases", release("2.0.0", "def")), 409, "version-exists");
        assertProblem(http.post("/v1/releases", KmsSite.signedBody("{\"type\":\"release\",\"version\":\"2.0.2\"}", RELEASE_KEY.getPrivate())),
                400, "bad-statement");
        assertProblem(http.post("/v1/releases", "{\"statement\":\"%%%\",\"signature\":\"AA==\"}"), 400, "bad-statement");
        assertProblem(http.post("/v1/releases", "{\"statement\":\"AA==\"}"), 400, null);
        assertProblem(http.post("/v1/releases", "{\"statement\":\"AA==\",\"signature\":\"AA==\",\"admin\":true}"), 400, "unknown-field");
        assertProblem(http.post("/v1/releases", "{\"statement\":\"" + "A".repeat(300_000) + "\",\"signature\":\"AA==\"}"), 413, "too-large");
        assertProblem(http.post("/v1/releases", KmsSite.signedBody("{\"type\":\"deprecation\",\"version\":\"2.0.0\",\"reason\":\"x\"}",
                RELEASE_KEY.getPrivate())), 400, "bad-statement");

        assertThat(log.head().block(Duration.ofSeconds(5)).size()).isEqualTo(size);
    }

    @Test
    void aDeprecationIsLoggedOnceAndShows() throws Exception {
        Http http = new Http(port);
        http.post("/v1/releases", release("3.0.0", "ccc"));
        String deprecation = KmsSite.signedBody("{\"type\":\"deprecation\",\"version\":\"3.0.0\",\"reason\":\"CVE-2026-0001\"}",
                RELEASE_KEY.getPrivate());
        assertProblem(http.post("/v1/releases/3.0.1/deprecation", deprecation), 400, "version-mismatch");
        HttpResponse<String> logged = http.post("/v1/releases/3.0.0/deprecation", deprecation);
        assertThat(logged.statusCode()).as(logged.body()).isEqualTo(201);
        Evidence evidence = JSON.readValue(logged.body(), Evidence.class);
        assertThat(SignedStatement.fromLeafData(Base64.getDecoder().decode(evidence.entry())).parse())
                .isInstanceOf(Statement.Deprecation.class);
        JsonNode release = JSON.readTree(http.get("/v1/releases/3.0.0").body());
        assertThat(release.get("deprecated").get("reason").asString()).isEqualTo("CVE-2026-0001");
        assertThat(release.get("deprecated").get("leafIndex").asLong()).isEqualTo(evidence.leafIndex());
        assertProblem(http.post("/v1/releases/3.0.0/deprecation", deprecation), 409, "already-deprecated");
        String unknown = KmsSite.signedBody("{\"type\":\"deprecation\",\"version\":\"9.9.9\",\"reason\":\"x\"}", RELEASE_KEY.getPrivate());
        assertProblem(http.post("/v1/releases/9.9.9/deprecation", unknown), 404, "unknown-release");
    }

    @Test
    void proofEndpointsProveWhatTheCheckpointsSay() throws Exception {
        Http http = new Http(port);
        String logKey = http.get("/v1/log/key").body().trim();
        http.post("/v1/releases", release("4.0.0", "ddd"));
        Checkpoint before = Checkpoint.verify(http.get("/v1/log/checkpoint").body(), logKey);
        for (int i = 1; i <= 5; i++) {
            http.post("/v1/releases", release("4.0." + i, "ddd"));
        }
        Checkpoint after = Checkpoint.verify(http.get("/v1/log/checkpoint").body(), logKey);
        JsonNode consistency = JSON.readTree(http.get("/v1/log/proof/consistency?from=" + before.size() + "&to=" + after.size()).body());
        assertThat(Merkle.verifyConsistency(before.size(), after.size(), before.root(), after.root(), hashes(consistency))).isTrue();

        long index = after.size() - 3;
        JsonNode inclusion = JSON.readTree(http.get("/v1/log/proof/inclusion?index=" + index + "&size=" + after.size()).body());
        HttpResponse<byte[]> entry = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/v1/log/entries/" + index)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(Merkle.verifyInclusion(index, after.size(), Merkle.leafHash(entry.body()), hashes(inclusion), after.root())).isTrue();

        assertProblem(http.get("/v1/log/proof/inclusion?index=0&size=" + (after.size() + 1)), 400, "beyond-log");
        assertProblem(http.get("/v1/log/proof/inclusion?index=" + after.size() + "&size=" + after.size()), 400, "bad-range");
        assertProblem(http.get("/v1/log/proof/consistency?from=5&to=2"), 400, "bad-range");
        assertProblem(http.get("/v1/log/entries/" + (after.size() + 100)), 404, "no-such-entry");
        assertProblem(http.get("/v1/log/entries?start=0&end=100000"), 400, "bad-range");
        assertThat(JSON.readTree(http.get("/v1/log/entries?start=0&end=" + after.size()).body()).get("entries").size())
                .isEqualTo((int) after.size());
    }

    @Test
    void theDatabaseRefusesToRewriteTheLog() {
        log.append("an entry".getBytes(StandardCharsets.UTF_8)).block(Duration.ofSeconds(5));
        assertThatThrownBy(() -> db.sql("UPDATE log_entries SET data = 'x'::bytea").then().block(Duration.ofSeconds(5)))
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> db.sql("DELETE FROM log_nodes").then().block(Duration.ofSeconds(5)))
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> db.sql("TRUNCATE log_entries CASCADE").then().block(Duration.ofSeconds(5)))
                .hasMessageContaining("append-only");
    }

    /** 16 appenders at once, 240 entries: each gets its own index, none is lost, and the tree is the one its entries make. */
    @Test
    void concurrentAppendsStayAppendOnly() {
        long start = log.head().block(Duration.ofSeconds(5)).size();
        byte[] startRoot = log.head().block(Duration.ofSeconds(5)).root();
        List<Long> indexes = Flux.range(0, 240)
                .flatMap(i -> log.append(("concurrent " + i).getBytes(StandardCharsets.UTF_8)).map(TransparencyLog.Appended::firstIndex), 16)
                .collectList().block(Duration.ofSeconds(60));
        assertThat(new HashSet<>(indexes)).hasSize(240);
        assertThat(indexes).allMatch(index -> index >= start && index < start + 240);

        TransparencyLog.Head head = log.head().block(Duration.ofSeconds(5));
        assertThat(head.size()).isEqualTo(start + 240);
        List<byte[]> entries = log.entries(0, head.size()).collectList().block(Duration.ofSeconds(10));
        Set<String> appended = new HashSet<>();
        for (byte[] entry : entries.subList((int) start, entries.size())) {
            appended.add(new String(entry, StandardCharsets.UTF_8));
        }
        assertThat(appended).hasSize(240).allMatch(text -> text.startsWith("concurrent "));
        // The stored nodes give the root that the entries give when hashed from scratch.
        List<byte[]> leaves = new ArrayList<>(entries);
        assertThat(Merkle.root(head.size(), NaiveMerkle.over(leaves))).isEqualTo(head.root());
        List<byte[]> proof = log.consistencyProof(start, head.size()).block(Duration.ofSeconds(5));
        assertThat(Merkle.verifyConsistency(start, head.size(), startRoot, head.root(), proof)).isTrue();
    }

    private static List<byte[]> hashes(JsonNode proof) {
        List<byte[]> hashes = new ArrayList<>();
        proof.get("hashes").forEach(hash -> hashes.add(Base64.getDecoder().decode(hash.asString())));
        return hashes;
    }

    private static void assertProblem(HttpResponse<String> response, int status, String slug) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
        if (slug != null) {
            assertThat(response.body()).contains("https://ats.run/problems/" + slug);
        }
    }

    private static String release(String version, String salt) {
        return KmsSite.signedBody(statement(version, salt), RELEASE_KEY.getPrivate());
    }

    private static String statement(String version, String salt) {
        return "{\"type\":\"release\",\"version\":\"" + version + "\",\"sourceCommit\":\"0123456789abcdef0123456789abcdef01234567\","
                + "\"files\":{\"index.html\":\"" + INDEX + "\",\"assets/" + salt + ".js\":\"" + INDEX + "\"}}";
    }
}
