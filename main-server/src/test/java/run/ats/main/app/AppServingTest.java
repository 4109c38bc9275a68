package run.ats.main.app;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import run.ats.main.kms.KmsOrigin;
import run.ats.main.testsupport.TestPostgres;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The main server serves the built PWA at {@code /} and the enclave on its own listener, each
 * with the headers it depends on; the public relay list answers (empty) while the directory is down.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.main.mail.local-inbox=true", "ats.main.public-url=http://app.example:8080",
        "ats.main.app.kms-origin=http://kms.example:8085", "ats.main.app.tile-url=https://{s}.tiles.example/{z}/{x}/{y}.png",
        "ats.main.directory-url=http://127.0.0.1:9"})
class AppServingTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestPostgres.freshDatabase(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    KmsOrigin kms;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theAppWithItsPolicyAssetsAndConfig() throws Exception {
        for (String path : new String[] {"/", "/signin"}) {
            HttpResponse<String> page = get(port, path);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<title>ATS</title>", "manifest.webmanifest");
            assertThat(page.headers().firstValue("Cache-Control")).hasValueSatisfying(v -> assertThat(v).contains("no-cache"));
            String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertThat(policy).contains("script-src 'self'", "frame-src http://kms.example:8085", "img-src 'self' data: https://*.tiles.example",
                    "connect-src 'self' ws: wss:", "frame-ancestors 'none'");
        }
        Matcher script = Pattern.compile("src=\"(/assets/index-[\\w-]+\\.js)\"").matcher(get(port, "/").body());
        assertThat(script.find()).isTrue();
        HttpResponse<String> asset = get(port, script.group(1));
        assertThat(asset.statusCode()).isEqualTo(200);
        assertThat(asset.headers().firstValue("Cache-Control").orElseThrow()).contains("immutable");
        assertThat(get(port, "/sw.js").body()).contains("ats-shell-", script.group(1));
        assertThat(get(port, "/manifest.webmanifest").headers().firstValue("Content-Type").orElseThrow()).startsWith("application/manifest+json");
        assertThat(get(port, "/icons/icon-512.png").statusCode()).isEqualTo(200);
        assertThat(get(port, "/app-config.json").body()).contains("\"kmsOrigin\":\"http://kms.example:8085\"", "tiles.example");
        assertThat(get(port, "/assets/../application.yaml").statusCode()).isIn(400, 404);
    }

    @Test
    void theEnclaveOnItsOwnListenerFramedByTheAppAlone() throws Exception {
        HttpResponse<String> page = get(kms.port(), "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("integrity=\"sha384-");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("frame-ancestors http://app.example:8080;", "default-src 'none'");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(get(kms.port(), "/config.json").body()).isEqualTo("{\"appOrigin\":\"http://app.example:8080\"}");
        Matcher script = Pattern.compile("src=\"/(assets/[\\w-]+\\.js)\"").matcher(page.body());
        assertThat(script.find()).isTrue();
        assertThat(get(kms.port(), "/" + script.group(1)).headers().firstValue("Cache-Control").orElseThrow()).contains("immutable");
        assertThat(get(kms.port(), "/application.yaml").statusCode()).isEqualTo(404);
        assertThat(get(kms.port(), "/../META-INF/MANIFEST.MF").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kms.port() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void thePublicRelayListIsEmptyNotAnErrorWhileTheDirectoryIsDown() throws Exception {
        HttpResponse<String> relays = get(port, "/v1/relays/public");
        assertThat(relays.statusCode()).isEqualTo(200);
        assertThat(relays.body()).isEqualTo("[]");
    }
}
