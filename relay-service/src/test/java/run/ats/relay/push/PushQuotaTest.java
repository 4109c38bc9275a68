package run.ats.relay.push;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import run.ats.protocol.topic.TopicTag;
import run.ats.relay.testsupport.RawWsClient;
import run.ats.relay.testsupport.TokenMint;
import run.ats.relay.testsupport.WsClient;
import run.ats.testkit.push.PushServiceStandIn;
import run.ats.testkit.push.VapidKeys;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One account cannot fill a relay's push registrations: what registrations hold is bounded per
 * connection, per relay token (also after the connection closed: registrations outlive it), per
 * client address (another address still gets in), and their channels count against the
 * subscription limit. Each refusal is an {@code error} frame with {@code limit_reached} that names
 * the limit, and holds nothing. Real WebSocket clients against a real relay.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.relay.main-url=http://127.0.0.1:9",
        "ats.relay.enroll=false",
        "ats.relay.max-subscriptions=8",
        "ats.relay.push.allowed-hosts=127.0.0.1",
        "ats.relay.push.allow-http=true",
        "ats.relay.push.max-per-connection=2",
        "ats.relay.push.max-per-token=3",
        "ats.relay.push.max-per-address=5"})
class PushQuotaTest {

    private static final TokenMint MINT = new TokenMint("main-key-1");
    private static final String CELL = "dqcj";
    private static PushServiceStandIn push;
    private final VapidKeys vapid = new VapidKeys();
    private final List<AutoCloseable> clients = new ArrayList<>();
    private final List<String> endpoints = new ArrayList<>();

    @LocalServerPort
    int port;
    @Autowired
    PushRegistry registry;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory("relay-push-quota-test");
        registry.add("ats.relay.jwks-file", () -> MINT.writeJwks(dir).toString());
        registry.add("ats.relay.key-file", () -> dir.resolve("relay.key").toString());
    }

    @BeforeAll
    static void startPushService() throws IOException {
        push = new PushServiceStandIn();
    }

    @AfterAll
    static void stopPushService() {
        push.close();
    }

    /** Registrations outlive their connections: forget them so each test starts with empty quotas. */
    @AfterEach
    void forgetEverything() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        endpoints.forEach(registry::unregister);
        assertThat(registry.size()).isZero();
    }

    private WsClient signedIn(String token) {
        WsClient client = new WsClient(port);
        clients.add(client);
        client.send("{\"type\":\"hello\",\"token\":\"" + token + "\",\"protocol\":1}");
        assertThat(client.next()).contains("\"type\":\"welcome\"");
        return client;
    }

    private String endpoint() {
        String endpoint = push.endpoint("quota-" + UUID.randomUUID());
        endpoints.add(endpoint);
        return endpoint;
    }

    private String register(String endpoint, int channels) {
        String wanted = IntStream.range(0, channels)
                .mapToObj(i -> "{\"topic\":\"" + TopicTag.of("quota-" + i) + "\",\"cell\":\"" + CELL + "\"}")
                .collect(Collectors.joining(","));
        return "{\"type\":\"push.register\",\"endpoint\":\"" + endpoint + "\",\"vapidKey\":\"" + vapid.publicKey()
                + "\",\"jwts\":[\"" + vapid.jwt(push.origin(), 3600) + "\"],\"channels\":[" + wanted + "]}";
    }

    private static void accepted(String answer) {
        assertThat(answer).startsWith("{\"type\":\"push.registered\"");
    }

    private void refused(String answer, String endpoint, String rule) {
        assertThat(answer).contains("\"type\":\"error\"", "\"code\":\"limit_reached\"", rule);
        assertThat(registry.holds(endpoint)).as("a refused registration holds nothing").isFalse();
    }

    @Test
    void oneConnectionHoldsAtMostItsShare() {
        WsClient device = signedIn(MINT.token());
        String first = endpoint();
        device.send(register(first, 1));
        accepted(device.next());
        device.send(register(endpoint(), 1));
        accepted(device.next());
        String third = endpoint();
        device.send(register(third, 1));
        refused(device.next(), third, "per connection");

        // Registering the same endpoint again (fresh JWTs) replaces it and takes no new slot.
        device.send(register(first, 2));
        accepted(device.next());
        device.send("{\"type\":\"push.unregister\",\"endpoint\":\"" + first + "\"}");
        assertThat(device.next()).isEqualTo("{\"type\":\"push.unregistered\"}");
        device.send(register(third, 1));
        accepted(device.next());
    }

    @Test
    void aTokensRegistrationsStillCountAfterItsConnectionsClosed() {
        String token = MINT.token();
        WsClient first = signedIn(token);
        for (int i = 0; i < 2; i++) {
            first.send(register(endpoint(), 1));
            accepted(first.next());
        }
        first.close();

        WsClient second = signedIn(token);
        second.send(register(endpoint(), 1));
        accepted(second.next());
        String fourth = endpoint();
        second.send(register(fourth, 1));
        refused(second.next(), fourth, "per relay token");
        second.close();

        // Again on a third connection: the count is the token's, not its connection's.
        WsClient third = signedIn(token);
        third.send(register(fourth, 1));
        refused(third.next(), fourth, "per relay token");
        assertThat(registry.size()).isEqualTo(3);
    }

    @Test
    void aTokensRegistrationsFollowNoMoreChannelsThanOneConnectionMaySubscribe() {
        WsClient device = signedIn(MINT.token());
        device.send(register(endpoint(), 6));
        accepted(device.next());
        String more = endpoint();
        device.send(register(more, 3));
        refused(device.next(), more, "at most 8 channels");
        device.send(register(more, 2));
        accepted(device.next());

        WsClient other = signedIn(MINT.token());
        String wide = endpoint();
        other.send(register(wide, 9));
        refused(other.next(), wide, "at most 8 channels");
    }

    @Test
    void oneAddressGetsItsShareWhileAnotherAddressStillGetsIn() throws Exception {
        // Five registrations from 127.0.0.1 under three tokens, then a fresh token from the same address.
        for (int held = 0; held < 5; ) {
            WsClient device = signedIn(MINT.token());
            for (int i = 0; i < 2 && held < 5; i++, held++) {
                device.send(register(endpoint(), 1));
                accepted(device.next());
            }
            device.close();
        }
        WsClient sixth = signedIn(MINT.token());
        String refusedEndpoint = endpoint();
        sixth.send(register(refusedEndpoint, 1));
        refused(sixth.next(), refusedEndpoint, "from one address");

        // Someone else, at another address, is not locked out by the first one's registrations.
        RawWsClient elsewhere = new RawWsClient(port, InetAddress.getByName("127.0.0.2"));
        clients.add(elsewhere);
        elsewhere.sendText("{\"type\":\"hello\",\"token\":\"" + MINT.token() + "\",\"protocol\":1}");
        assertThat(elsewhere.read().text()).contains("\"type\":\"welcome\"");
        elsewhere.sendText(register(endpoint(), 1));
        accepted(elsewhere.read().text());
        assertThat(registry.size()).isEqualTo(6);
    }
}
