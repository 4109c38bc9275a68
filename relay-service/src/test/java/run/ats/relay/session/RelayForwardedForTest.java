package run.ats.relay.session;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import run.ats.relay.testsupport.TokenMint;
import run.ats.relay.testsupport.WsClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A relay with a tunnel configured, on Kubernetes (where Spring Boot would otherwise believe
 * forwarded headers by itself): a client on the relay's own port, loopback included, is counted
 * at its real address whatever {@code X-Forwarded-For} it sends. Only the relay's own tunnel
 * streams carry a forwarded address it believes (e2e {@code BehindAnIngressTest} shows that side).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.relay.main-url=http://127.0.0.1:9",
        "ats.relay.broker-urls=ws://127.0.0.1:9/v1/tunnel",
        "ats.relay.connections-per-ip=2",
        "spring.main.cloud-platform=kubernetes"})
class RelayForwardedForTest {

    private static final TokenMint MINT = new TokenMint("xff-key");
    private final List<WsClient> clients = new ArrayList<>();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory("relay-xff");
        registry.add("ats.relay.jwks-file", () -> MINT.writeJwks(dir).toString());
        registry.add("ats.relay.key-file", () -> dir.resolve("relay.key").toString());
    }

    @LocalServerPort
    int port;

    @AfterEach
    void closeClients() {
        clients.forEach(WsClient::close);
    }

    @Test
    void aDirectClientCannotChooseItsAddressForThePerAddressLimit() {
        signedIn(Map.of());
        signedIn(Map.of("X-Forwarded-For", "198.51.100.1"));
        // 127.0.0.1 holds its two; made-up addresses, one or a list, do not make room for more.
        for (String forged : List.of("203.0.113.7", "203.0.113.8, 198.51.100.9", "::1", "127.0.0.2")) {
            WsClient extra = connect(Map.of("X-Forwarded-For", forged));
            WsClient.Closed closed = extra.closed(Duration.ofSeconds(5));
            assertThat(closed.code()).as(forged).isEqualTo(1008);
            assertThat(closed.reason()).as(forged).contains("too many connections from your address");
        }
    }

    private WsClient connect(Map<String, String> headers) {
        WsClient client = new WsClient(port, headers);
        clients.add(client);
        return client;
    }

    private void signedIn(Map<String, String> headers) {
        WsClient client = connect(headers);
        client.send("{\"type\":\"hello\",\"token\":\"" + MINT.token() + "\",\"protocol\":1}");
        assertThat(client.next()).contains("welcome");
    }
}
