package run.ats.e2e;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import run.ats.testkit.ServiceProcess;
import run.ats.testkit.TestPostgres;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auditor's walkthrough of docs/kms-verifier.md with the real jar: make a release key, start
 * the verifier, sign a KMS build with the command line and log it, serve the build from a local
 * origin, get a match from the service and from the command line; change one byte, get a
 * mismatch from both (exit code 1).
 */
class KmsVerifierTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration COMMAND = Duration.ofSeconds(90);

    @Test
    void anAuditorRegistersServesAndVerifiesAKmsBuild(@TempDir Path dir) throws Exception {
        Path dist = Files.createDirectories(dir.resolve("dist"));
        Files.createDirectories(dist.resolve("assets"));
        Files.writeString(dir.resolve("dist/assets/worker-7c1e.js"), "self.onmessage = (e) => self.postMessage(e.data);\n");
        Files.writeString(dir.resolve("dist/assets/kms-3f9a.js"),
                "new Worker(new URL('/assets/worker-7c1e.js', import.meta.url), { type: 'module' });\n");
        String scriptSri = sri(dir.resolve("dist/assets/kms-3f9a.js"));
        Files.writeString(dir.resolve("dist/index.html"), "<!doctype html><html><head><script type=\"module\" "
                + "src=\"/assets/kms-3f9a.js\" integrity=\"" + scriptSri + "\"></script></head><body></body></html>\n");

        ServiceProcess.CommandRun key = ServiceProcess.command("kms-verifier", COMMAND, "release-key", dir.resolve("release.key").toString());
        assertThat(key.exitCode()).as(key.stderr()).isZero();
        String releaseKey = key.stdout().trim();

        try (StaticOrigin origin = new StaticOrigin(dist);
             ServiceProcess verifier = ServiceProcess.start("kms-verifier", "kms-verifier", ServiceProcess.freePort(), arguments(releaseKey, origin))) {
            String logKey = verifier.awaitOutput(Pattern.compile("Log verifier key \\(pin it\\): (\\S+)"), Duration.ofSeconds(30));

            ServiceProcess.CommandRun signed = ServiceProcess.command("kms-verifier", COMMAND, "sign-release", dist.toString(),
                    "--version", "1.0.0", "--commit", "0123456789abcdef0123456789abcdef01234567", "--key", dir.resolve("release.key").toString());
            assertThat(signed.exitCode()).as(signed.stderr()).isZero();
            HttpResponse<String> logged = post(verifier.url() + "/v1/releases", signed.stdout());
            assertThat(logged.statusCode()).as(logged.body()).isEqualTo(201);

            assertThat(verify(verifier, origin).get("verdict").asString()).isEqualTo("match");
            ServiceProcess.CommandRun match = ServiceProcess.command("kms-verifier", COMMAND, "verify-origin", origin.url(),
                    "--log", verifier.url(), "--log-key", logKey);
            assertThat(match.exitCode()).as(match.stdout() + match.stderr()).isZero();
            assertThat(match.stdout()).startsWith("MATCH " + origin.url()).contains("release 1.0.0");

            byte[] worker = Files.readAllBytes(dir.resolve("dist/assets/worker-7c1e.js"));
            worker[5] ^= 0x20;
            Files.write(dir.resolve("dist/assets/worker-7c1e.js"), worker);

            JsonNode mismatch = verify(verifier, origin);
            assertThat(mismatch.get("verdict").asString()).isEqualTo("mismatch");
            assertThat(mismatch.get("files").toString()).contains("assets/worker-7c1e.js", "changed");
            ServiceProcess.CommandRun changed = ServiceProcess.command("kms-verifier", COMMAND, "verify-origin", origin.url(),
                    "--log", verifier.url(), "--log-key", logKey);
            assertThat(changed.exitCode()).isEqualTo(1);
            assertThat(changed.stdout()).startsWith("MISMATCH").contains("assets/worker-7c1e.js changed");
            ServiceProcess.CommandRun dirCheck = ServiceProcess.command("kms-verifier", COMMAND, "verify-dir", dist.toString(),
                    "--log", verifier.url(), "--log-key", logKey);
            assertThat(dirCheck.exitCode()).isEqualTo(1);
        }
    }

    private static List<String> arguments(String releaseKey, StaticOrigin origin) {
        List<String> arguments = new ArrayList<>(TestPostgres.freshDatabase().arguments());
        arguments.addAll(List.of("--ats.verifier.release-keys=" + releaseKey, "--ats.verifier.origins=" + origin.url(),
                "--ats.verifier.fetch.allow-loopback=true", "--ats.verifier.verify-cache=0s", "--ats.verifier.monitor.enabled=false"));
        return arguments;
    }

    private static String sri(Path file) throws Exception {
        ServiceProcess.CommandRun run = ServiceProcess.command("kms-verifier", COMMAND, "sri", file.toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        return run.stdout().trim();
    }

    private static JsonNode verify(ServiceProcess verifier, StaticOrigin origin) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(verifier.url() + "/v1/verify?origin="
                    + URLEncoder.encode(origin.url(), StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return JSON.readTree(response.body());
        }
    }

    private static HttpResponse<String> post(String url, String json) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    /** A static file server on loopback with the headers the enclave's entry page needs. */
    private static final class StaticOrigin implements AutoCloseable {
        private final HttpServer server;

        StaticOrigin(Path root) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/", exchange -> {
                try (exchange) {
                    String path = exchange.getRequestURI().getPath();
                    Path file = root.resolve(path.equals("/") ? "index.html" : path.substring(1)).normalize();
                    if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                        exchange.sendResponseHeaders(404, -1);
                        return;
                    }
                    byte[] body = Files.readAllBytes(file);
                    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
                    exchange.getResponseHeaders().set("Content-Security-Policy", "frame-ancestors http://localhost:8080");
                    exchange.getResponseHeaders().set("Cache-Control", path.equals("/") ? "no-cache" : "max-age=31536000, immutable");
                    exchange.getResponseHeaders().set("Content-Type", file.toString().endsWith(".js") ? "text/javascript" : "text/html");
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
