package run.ats.e2e;

import org.junit.jupiter.api.Test;
import run.ats.testkit.ServiceProcess;
import run.ats.testkit.Suite;
import run.ats.testkit.TestPostgres;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every service's actuator (health, metrics, info) answers only on its management port; the
 * public port, the one an ingress routes, answers 404 for every spelling of {@code /actuator/**},
 * on all five jars as operators run them, and through the broker's names.
 */
class ManagementPortTest {

    /** What an outsider tries on a public port: the endpoints (404)... */
    private static final List<String> ENDPOINTS = List.of("/actuator", "/actuator/", "/actuator/health",
            "/actuator/health/liveness", "/actuator/health/readiness", "/actuator/prometheus", "/actuator/info",
            "/actuator/metrics", "/actuator/env", "/actuator/prometheus/", "/actuator/prometheus?format=text", "/ACTUATOR/prometheus");
    /** ...and spellings a lenient router might normalize to them (404, or 400 where a firewall refuses the spelling). */
    private static final List<String> SPELLINGS = List.of("/actuator/%70rometheus", "//actuator/prometheus", "/./actuator/prometheus",
            "/x/../actuator/prometheus", "/actuator;x=1/prometheus", "/actuator/health;jsessionid=1");

    @Test
    void everyServiceServesItsActuatorOnlyOnTheManagementPort() throws Exception {
        try (Suite suite = Suite.withBroker()) {
            Suite.Relay relay = suite.claimedRelays(1).getFirst();
            String name = suite.awaitTunnel(relay);
            List<String> verifierSettings = new ArrayList<>(TestPostgres.freshDatabase().arguments());
            verifierSettings.add("--ats.verifier.monitor.enabled=false");
            try (ServiceProcess verifier = ServiceProcess.start("kms-verifier", "kms-verifier", ServiceProcess.freePort(), verifierSettings);
                 HttpClient http = HttpClient.newHttpClient()) {
                Map<String, ServiceProcess> services = new LinkedHashMap<>();
                services.put("main", suite.main);
                services.put("directory", suite.directory);
                services.put("broker", suite.broker);
                services.put("relay", relay.process);
                services.put("verifier", verifier);
                for (Map.Entry<String, ServiceProcess> service : services.entrySet()) {
                    String what = service.getKey();
                    String publicUrl = service.getValue().url();
                    // Raw requests, so that the client normalizes nothing.
                    for (String path : ENDPOINTS) {
                        assertThat(statusLine(service.getValue().port(), path, "127.0.0.1")).as(what + " public " + path).contains(" 404 ");
                    }
                    for (String path : SPELLINGS) {
                        assertThat(statusLine(service.getValue().port(), path, "127.0.0.1")).as(what + " public " + path)
                                .matches("HTTP/1.1 (404|400) .*");
                    }
                    String management = service.getValue().managementUrl();
                    assertThat(get(http, management + "/actuator/health/readiness")).as(what).contains("\"UP\"");
                    assertThat(get(http, management + "/actuator/prometheus")).as(what).contains("jvm_memory_used_bytes");
                    assertThat(publicUrl).isNotEqualTo(management);
                }
                // The main server's second public port (the KMS enclave's origin) serves no actuator either.
                assertThat(statusLine(suite.kmsPort, "/actuator/prometheus", "127.0.0.1")).contains(" 404 ");
                // The broker's public port (Netty, not Spring): no actuator of its own, and none of a relay's through its name.
                for (String path : java.util.stream.Stream.concat(ENDPOINTS.stream(), SPELLINGS.stream()).toList()) {
                    assertThat(statusLine(suite.brokerPublicPort, path, name + "." + Suite.BROKER_DOMAIN)).as("through " + name + path)
                            .matches("HTTP/1.1 (404|400) .*");
                    assertThat(statusLine(suite.brokerPublicPort, path, Suite.BROKER_DOMAIN)).as("broker " + path)
                            .matches("HTTP/1.1 (404|400) .*");
                }
            }
        }
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return response.body();
    }

    /** The status line of one raw HTTP/1.1 request (the path sent exactly as given). */
    private static String statusLine(int port, String path, String host) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
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
