package run.ats.relay.auth;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import run.ats.relay.testsupport.TokenMint;
import run.ats.relay.testsupport.WsClient;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay learns the main server's keys over HTTP (no key file), then the main server goes
 * away: clients with tokens under the known key keep getting in, and a token under a key the
 * relay never saw is refused without losing the keys it has.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class JwksOutageTest {

    private static final TokenMint MAIN_KEY = new TokenMint("main-key-1");
    private static final TokenMint NEVER_PUBLISHED = new TokenMint("main-key-2");
    /** Serves what the main server serves at /.well-known/jwks.json, and nothing else. */
    private static HttpServer jwks;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        jwks.createContext("/.well-known/jwks.json", exchange -> {
            byte[] body = MAIN_KEY.jwks().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        registry.add("ats.relay.main-url", () -> "http://127.0.0.1:" + jwks.getAddress().getPort());
        registry.add("ats.relay.key-file", () -> tempKeyFile());
    }

    @AfterAll
    static void stopJwks() {
        jwks.stop(0);
    }

    @LocalServerPort
    int port;
    private final List<WsClient> clients = new ArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(WsClient::close);
    }

    @Test
    void cachedKeysKeepAdmittingClientsWhileTheMainServerIsDown() throws Exception {
        awaitKeysFetched();

        jwks.stop(0);

        assertThat(hello(MAIN_KEY.token()).next()).contains("\"type\":\"welcome\"");
        // An unknown kid is refused (the relay may ask the unreachable main server again, at
        // most every 10 s) and the keys it had stay.
        WsClient stranger = hello(NEVER_PUBLISHED.token());
        assertThat(stranger.closed(Duration.ofSeconds(10))).isEqualTo(new WsClient.Closed(1008, "unauthorized: unknown signing key"));
        assertThat(hello(MAIN_KEY.token()).next()).contains("\"type\":\"welcome\"");
    }

    /** The relay fetches in the background after start; bounded to 10 s. */
    private void awaitKeysFetched() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            WsClient client = hello(MAIN_KEY.token());
            String first = client.poll(Duration.ofSeconds(2));
            if (first != null && first.contains("\"type\":\"welcome\"")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the relay never admitted a token signed with the published key");
    }

    private WsClient hello(String token) {
        WsClient client = new WsClient(port).send("{\"type\":\"hello\",\"token\":\"" + token + "\",\"protocol\":1}");
        clients.add(client);
        return client;
    }

    private static String tempKeyFile() {
        try {
            return Files.createTempDirectory("relay-jwks-outage").resolve("relay.key").toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
