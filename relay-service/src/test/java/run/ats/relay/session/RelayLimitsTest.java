package run.ats.relay.session;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import com.nimbusds.jwt.SignedJWT;
import run.ats.protocol.token.RelayAccessTokens;
import run.ats.protocol.topic.TopicTag;
import run.ats.relay.testsupport.TokenMint;
import run.ats.relay.testsupport.WsClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Rate limits per connection and per token, floods of any kind of frame, token expiry, and connections per IP, with small limits. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.relay.main-url=http://127.0.0.1:9",
        "ats.relay.publishes-per-second=5",
        "ats.relay.publishes-per-second-per-token=8",
        "ats.relay.frames-per-second=50",
        "ats.relay.connections-per-ip=6"})
class RelayLimitsTest {

    private static final TokenMint MINT = new TokenMint("k");
    private static final Pattern EVENT_ID = Pattern.compile("\"type\":\"event\".*\"id\":\"([A-Za-z0-9_-]+)\"");
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
        return publish(UUID.randomUUID().toString().replace("-", ""));
    }

    private String publish(String id) {
        return "{\"type\":\"publish\",\"topic\":\"" + tag + "\",\"cell\":\"dqcj\",\"id\":\""
                + id + "\",\"ttl\":5,\"payload\":\"AQ\"}";
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
    void pingsAndBinaryFramesCountTowardTheFloodLimit() {
        // Control and binary frames used to bypass the count: a connection could ping (or send
        // binary frames) as fast as it liked and never be closed.
        WsClient pinger = signedIn(MINT.token());
        WsClient binary = signedIn(MINT.token());
        sendUntilClosed(pinger, () -> pinger.sendPing(new byte[]{1, 2, 3}));
        sendUntilClosed(binary, () -> binary.sendBinary(new byte[]{1, 2, 3}));
        for (WsClient flooder : List.of(pinger, binary)) {
            WsClient.Closed closed = flooder.closed(Duration.ofSeconds(10));
            assertThat(closed.code()).as(closed.toString()).isEqualTo(1008);
            assertThat(closed.reason()).contains("flood");
        }
    }

    @Test
    void pingsAreAnsweredWithinTheLimit() throws Exception {
        // handlePing is ours now: a ping must still get its pong (the JDK client takes it quietly,
        // so the proof is that the connection stays usable after pings at a normal pace).
        WsClient client = signedIn(MINT.token());
        for (int i = 0; i < 10; i++) {
            client.sendPing(new byte[]{(byte) i});
            Thread.sleep(50);
        }
        assertThat(client.send("{\"type\":\"heartbeat\"}").next()).contains("heartbeat");
    }

    @Test
    void anExpiredTokenIsClosedOnTimeWhateverItSendsAndGetsNothingAfter() throws Exception {
        // Pings keep the connection busy, and no text frame comes to check the token: only a
        // timer can notice the expiry.
        String shortLived = MINT.sign(RelayAccessTokens.claims("https://main.test", Instant.now(), Duration.ofSeconds(3), new SecureRandom()));
        long expiresAtMs = SignedJWT.parse(shortLived).getJWTClaimsSet().getExpirationTime().getTime();
        WsClient subscriber = signedIn(shortLived);
        subscriber.send("{\"type\":\"subscribe\",\"topic\":\"" + tag + "\",\"cell\":\"dqcj\"}");
        assertThat(subscriber.next()).contains("subscribed");
        WsClient publisher = signedIn(MINT.token());

        AtomicBoolean pinging = new AtomicBoolean(true);
        Thread pings = Thread.ofVirtual().start(() -> {
            while (pinging.get()) {
                try {
                    subscriber.sendPing(new byte[]{7});
                    Thread.sleep(100);
                } catch (RuntimeException | InterruptedException closed) {
                    return; // the relay closed it
                }
            }
        });
        // Publish every 250 ms until 2.5 s past the expiry, remembering when each was sent.
        Map<String, Long> sentAt = new HashMap<>();
        while (System.currentTimeMillis() < expiresAtMs + 2_500) {
            String id = UUID.randomUUID().toString().replace("-", "");
            sentAt.put(id, System.currentTimeMillis());
            assertThat(publisher.send(publish(id)).next()).contains("ack");
            Thread.sleep(250);
        }
        pinging.set(false);
        pings.join();

        WsClient.Closed closed = subscriber.closed(Duration.ofMillis(100));
        assertThat(closed.code()).isEqualTo(1008);
        assertThat(closed.reason()).contains("token expired");
        List<String> late = new ArrayList<>();
        int received = 0;
        for (String frame = subscriber.poll(Duration.ZERO); frame != null; frame = subscriber.poll(Duration.ZERO)) {
            Matcher id = EVENT_ID.matcher(frame);
            if (id.find()) {
                received++;
                if (sentAt.get(id.group(1)) >= expiresAtMs) {
                    late.add(id.group(1));
                }
            }
        }
        assertThat(received).as("events before the expiry arrive").isPositive();
        assertThat(late).as("events published after the expiry").isEmpty();
    }

    /**
     * Sends 60 frames as fast as it can (over the limit of 50 a second), or until the relay's close
     * stops the sends. Not more: frames still arriving when the relay drops the socket make it
     * answer with a reset, which can overtake its close frame.
     */
    private static void sendUntilClosed(WsClient client, Runnable send) {
        try {
            for (int i = 0; i < 60; i++) {
                send.run();
            }
        } catch (RuntimeException closed) {
            // The relay closed it: sending on a closed output fails.
        }
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
