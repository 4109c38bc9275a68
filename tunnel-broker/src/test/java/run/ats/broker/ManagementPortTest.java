package run.ats.broker;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import run.ats.broker.front.PublicServer;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Health and metrics answer on the management port only: neither the API port nor the public
 * port (Netty, where the ingress sends every relay name) answers under {@code /actuator}. The shipped
 * configuration's management port is used (the test framework moves it to a free one).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.broker.directory-url=http://127.0.0.1:9",
        "ats.broker.public-port=0", "ats.broker.public-address=127.0.0.1"})
class ManagementPortTest {

    private static final List<String> PATHS = List.of("/actuator", "/actuator/health", "/actuator/health/liveness",
            "/actuator/health/readiness", "/actuator/prometheus", "/actuator/info", "/actuator/metrics");

    @LocalServerPort
    int port;
    @LocalManagementPort
    int managementPort;
    @Autowired
    PublicServer publicServer;

    @Test
    void healthAndMetricsAnswerOnlyOnTheManagementPort() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (String path : PATHS) {
                assertThat(get(http, port, path).statusCode()).as("API port " + path).isEqualTo(404);
                // No directory here, so the public port answers 503 directory-not-loaded to everything; ManagementPortTest in e2e has it loaded (404).
                assertThat(statusLine(publicServer.port(), path, "relays.localhost")).as("public port " + path).matches("HTTP/1.1 (404|503) .*");
            }
            HttpResponse<String> health = get(http, managementPort, "/actuator/health/liveness");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"UP\"");
            HttpResponse<String> metrics = get(http, managementPort, "/actuator/prometheus");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("ats_broker_tunnels");
        }
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String statusLine(int port, String path, String host) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\r' && c != '\n'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString();
        }
    }
}
