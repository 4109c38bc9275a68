package run.ats.relay;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Health and metrics answer on the management port only: the public port (what clients, links
 * and the broker's tunnel reach) answers 404 under {@code /actuator}. The shipped configuration's
 * management port is used (the test framework moves it to a free one).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "ats.relay.main-url=http://127.0.0.1:9")
class ManagementPortTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        String keyFile = Files.createTempDirectory("relay-management").resolve("relay.key").toString();
        registry.add("ats.relay.key-file", () -> keyFile);
    }

    @LocalServerPort
    int port;
    @LocalManagementPort
    int managementPort;

    @Test
    void healthAndMetricsAnswerOnlyOnTheManagementPort() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (String path : List.of("/actuator", "/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness",
                    "/actuator/prometheus", "/actuator/info", "/actuator/metrics")) {
                assertThat(get(http, port, path).statusCode()).as("public " + path).isEqualTo(404);
            }
            HttpResponse<String> health = get(http, managementPort, "/actuator/health/readiness");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"UP\"");
            HttpResponse<String> metrics = get(http, managementPort, "/actuator/prometheus");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("ats_relay_connections");
        }
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
