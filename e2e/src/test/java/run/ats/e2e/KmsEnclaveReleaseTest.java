package run.ats.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import run.ats.testkit.ServiceProcess;
import run.ats.testkit.TestPostgres;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real enclave build (web-pwa/dist/kms) as a release: its statement (written by the build,
 * kms-release.json) lists exactly the files the auditors' command line signs; the verifier logs
 * it, and finds the enclave the main server serves on its own origin a match, headers included.
 */
class KmsEnclaveReleaseTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration COMMAND = Duration.ofSeconds(90);
    private static final Path BUILD = Path.of("..", "web-pwa", "dist").toAbsolutePath().normalize();

    @Test
    void theServedEnclaveIsTheLoggedRelease(@TempDir Path dir) throws Exception {
        ServiceProcess.CommandRun key = ServiceProcess.command("kms-verifier", COMMAND, "release-key", dir.resolve("release.key").toString());
        assertThat(key.exitCode()).as(key.stderr()).isZero();
        JsonNode manifest = JSON.readTree(Files.readString(BUILD.resolve("kms-release.json")));

        int mainPort = ServiceProcess.freePort();
        int kmsPort = ServiceProcess.freePort();
        String kmsOrigin = "http://127.0.0.1:" + kmsPort;
        List<String> mainSettings = new ArrayList<>(TestPostgres.freshDatabase().arguments());
        mainSettings.addAll(List.of("--ats.main.public-url=http://127.0.0.1:" + mainPort, "--ats.main.mail.local-inbox=true",
                "--ats.main.app.kms-port=" + kmsPort, "--ats.main.app.kms-origin=" + kmsOrigin));
        List<String> verifierSettings = new ArrayList<>(TestPostgres.freshDatabase().arguments());
        verifierSettings.addAll(List.of("--ats.verifier.release-keys=" + key.stdout().trim(), "--ats.verifier.origins=" + kmsOrigin,
                "--ats.verifier.fetch.allow-loopback=true", "--ats.verifier.verify-cache=0s", "--ats.verifier.monitor.enabled=false"));
        try (ServiceProcess main = ServiceProcess.start("main", "main-server", mainPort, mainSettings);
             ServiceProcess verifier = ServiceProcess.start("kms-verifier", "kms-verifier", ServiceProcess.freePort(), verifierSettings)) {
            ServiceProcess.CommandRun signed = ServiceProcess.command("kms-verifier", COMMAND, "sign-release", BUILD.resolve("kms").toString(),
                    "--version", manifest.get("version").asString(), "--commit", "0123456789abcdef0123456789abcdef01234567",
                    "--key", dir.resolve("release.key").toString());
            assertThat(signed.exitCode()).as(signed.stderr()).isZero();
            String encoded = JSON.readTree(signed.stdout()).get("statement").asString();
            JsonNode statement = JSON.readTree(java.util.Base64.getDecoder().decode(encoded.replace('-', '+').replace('_', '/')));
            assertThat(statement.get("files")).as("the signed statement names exactly the build's files and SRI values")
                    .isEqualTo(manifest.get("files"));
            assertThat(manifest.get("files").size()).isGreaterThanOrEqualTo(3);

            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> logged = http.send(HttpRequest.newBuilder(URI.create(verifier.url() + "/v1/releases"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(signed.stdout())).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(logged.statusCode()).as(logged.body()).isEqualTo(201);
                HttpResponse<String> verified = http.send(HttpRequest.newBuilder(URI.create(verifier.url() + "/v1/verify?origin="
                        + URLEncoder.encode(kmsOrigin, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(60)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(verified.statusCode()).as(verified.body()).isEqualTo(200);
                JsonNode report = JSON.readTree(verified.body());
                assertThat(report.get("verdict").asString()).as(verified.body()).isEqualTo("match");
                assertThat(report.toString()).contains("frame-ancestors http://127.0.0.1:" + mainPort, "assets/worker-");
            }
        }
    }
}
