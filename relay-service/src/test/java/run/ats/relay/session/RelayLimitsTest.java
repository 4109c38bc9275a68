package run.ats.relay.session;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import run.ats.protocol.topic.TopicTag;
import run.ats.relay.testsupport.TokenMint;
import run.ats.relay.testsupport.WsClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Rate limits per connection and per token, floods, and connections per IP, with small limits. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.relay.main-url=http://127.0.0.1:9",
        "ats.relay.publishes-per-second=5",
        "ats.relay.publishes-per-second-per-token=8",
        "ats.relay.frames-per-second=50",
        "ats.relay.connections-per-ip=6"})
class RelayLimitsTest {

    private static final TokenMint MINT = new TokenMint("k");
    private final String tag = TopicTag.of("limits-" + UUID.randomUUID());
    private final List<WsClient> clients = new ArrayList<>();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory("relay-limits");
        registry.add("ats.relay.jwks-file", () -> MINT.writeJwks(dir).toString());
        registry.add("ats.relay.key-file", () -> dir.resolve("relay.key").toString());
    }

    @LocalServerPort
    int port;

    @AfterEach
    void closeClients() {
        clients.forEach(WsClient::close);
    }

    private WsClient signedIn(String token) {
        WsClient client = new WsClient(port).send("{\"type\":\"hello\",\"token\":\"" + token + "\",\"protocol\":1}");
        clients.add(client);
        assertThat(client.next()).contains("welcome");
        return client;
    }

    private String publish() {
        return "{\"type\":\"publish\",\"topic\":\"" + tag + "\",\"cell\":\"dqcj\",\"id\":\""
                + UUID.randomUUID().toString().replace("-", "") + "\",\"ttl\":5,\"payload\":\"AQ\"}";
    }

    @Test
    void publishesOverTheLimitGetRateLimitedErrorsAndTheConnectionStays() throws Exception {
        WsClient client = signedIn(MINT.token());
        int acks = 0;
        int limited = 0;
        for (int i = 0; i < 8; i++) {
            String answer = client.send(publish()).next();
            if (answer.contains("\"type\":\"ack\"")) {
                acks++;
            } else if (answer.contains("\"code\":\"rate_limited\"")) {
                limited++;
            }
        }
        // 8 publishes within about a second: at most 5 + 5 if a window boundary fell in between.
        assertThat(acks).isBetween(5, 8);
        assertThat(acks + limited).isEqualTo(8);
        Thread.sleep(1_100);
        assertThat(client.send(publish()).next()).contains("\"type\":\"ack\"");
    }

    @Test
    void oneTokenOnManyConnectionsSharesItsLimit() {
        String token = MINT.token();
        WsClient a = signedIn(token);
        WsClient b = signedIn(token);
        int acks = 0;
        for (int i = 0; i < 5; i++) {
            acks += a.send(publish()).next().contains("ack") ? 1 : 0;
            acks += b.send(publish()).next().contains("ack") ? 1 : 0;
        }
        assertThat(acks).isLessThanOrEqualTo(8 + 8); // never the 10 that two separate tokens would get in one window
        assertThat(acks).isLessThan(10).as("within one window the token allows 8");
    }

    @Test
    void floodCloses() {
        WsClient client = signedIn(MINT.token());
        for (int i = 0; i < 60; i++) {
            client.send("{\"type\":\"heartbeat\"}");
        }
        WsClient.Closed closed = client.closed(Duration.ofSeconds(10));
        assertThat(closed.code()).isEqualTo(1008);
        assertThat(closed.reason()).contains("flood");
    }

    @Test
    void tooManyConnectionsFromOneAddress() {
        for (int i = 0; i < 6; i++) {
            signedIn(MINT.token());
        }
        WsClient extra = new WsClient(port);
        clients.add(extra);
        WsClient.Closed closed = extra.closed(Duration.ofSeconds(5));
        assertThat(closed.code()).isEqualTo(1008);
        assertThat(closed.reason()).contains("too many connections");
    }
}
