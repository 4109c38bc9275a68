package run.ats.relay.session;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
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

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A relay's memory is bounded as a whole: past {@code max-channels} channels or
 * {@code max-stored-bytes} of events, clients are refused with {@code over_capacity}, and
 * whoever was subscribed before keeps its subscription, its replay and its live events. One
 * address may hold only {@code max-stored-bytes-per-address} of it, so others keep room.
 * (Clients at 127.0.0.2 and 127.0.0.3 play other addresses.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.relay.main-url=http://127.0.0.1:9",
        "ats.relay.publishes-per-second=100000",
        "ats.relay.publishes-per-second-per-token=100000",
        "ats.relay.frames-per-second=100000",
        "ats.relay.max-channels=4",
        "ats.relay.max-stored-bytes=64KB",
        "ats.relay.max-stored-bytes-per-address=32KB"})
class RelayCapacityTest {

    private static final TokenMint MINT = new TokenMint("capacity-key");
    private static final String CELL = "dqcj";
    /** 4,000 characters (3,000 bytes): each event's frame is about 4 KB. */
    private static final String BIG = "A".repeat(4000);
    private final List<WsClient> clients = new ArrayList<>();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory("relay-capacity");
        registry.add("ats.relay.jwks-file", () -> MINT.writeJwks(dir).toString());
        registry.add("ats.relay.key-file", () -> dir.resolve("relay.key").toString());
    }

    @LocalServerPort
    int port;
    @Autowired
    MeterRegistry meters;

    @AfterEach
    void closeClients() {
        clients.forEach(WsClient::close);
    }

    @Test
    void aFullRelayRefusesNewChannelsAndEventsClearlyAndKeepsWhoWasThere() throws Exception {
        String victimTag = TopicTag.of("victim-" + UUID.randomUUID());
        WsClient victim = signedIn();
        assertThat(victim.send(subscribe(victimTag)).next()).contains("\"type\":\"subscribed\"");
        WsClient publisher = signedIn();
        String before = id();
        assertThat(publisher.send(publish(victimTag, before, "AQ", 60)).next()).contains("\"type\":\"ack\"");
        assertThat(victim.next()).contains(before);

        // Channels: three more fit (four in all), then every new one is refused, by subscribe or by publish.
        WsClient attacker = signedIn();
        List<String> attackerTags = new ArrayList<>();
        int subscribed = 0;
        int refused = 0;
        for (int i = 0; i < 20; i++) {
            String tag = TopicTag.of("attacker-" + UUID.randomUUID());
            String answer = attacker.send(subscribe(tag)).next();
            if (answer.contains("\"type\":\"subscribed\"")) {
                subscribed++;
                attackerTags.add(tag);
            } else {
                assertThat(answer).contains("\"code\":\"over_capacity\"").contains("4 channels");
                refused++;
            }
        }
        assertThat(subscribed).isEqualTo(3);
        assertThat(refused).isEqualTo(17);
        String refusedId = id();
        assertThat(attacker.send(publish(TopicTag.of("new-" + UUID.randomUUID()), refusedId, "AQ", 60)).next())
                .contains("\"code\":\"over_capacity\"").contains("\"id\":\"" + refusedId + "\"");
        assertThat(gauge("ats.relay.channels")).isEqualTo(4);

        // Stored bytes: big events into the attacker's own channel until its address's share is full...
        int stored = 0;
        String answer = "";
        for (int i = 0; i < 40 && !answer.contains("over_capacity"); i++) {
            answer = attacker.send(publish(attackerTags.getFirst(), id(), BIG, 2)).next();
            stored += answer.contains("\"type\":\"ack\"") ? 1 : 0;
        }
        assertThat(answer).contains("\"code\":\"over_capacity\"").contains("your address").contains("32768 bytes");
        assertThat(stored).isBetween(5, 8);
        // ...while another address still has room,
        String during = id();
        try (RawWsClient other = rawSignedIn("127.0.0.2")) {
            assertThat(other.sendText(publish(victimTag, during, "AQ", 60)).read().text()).contains("\"type\":\"ack\"");
            assertThat(victim.next()).contains(during);
        }
        // ...until more addresses fill the relay.
        answer = "";
        for (int address = 3; address <= 5 && !answer.contains("relay full"); address++) {
            try (RawWsClient more = rawSignedIn("127.0.0." + address)) {
                answer = "";
                for (int i = 0; i < 40 && !answer.contains("over_capacity"); i++) {
                    answer = more.sendText(publish(attackerTags.getFirst(), id(), BIG, 2)).read().text();
                }
            }
        }
        assertThat(answer).contains("\"code\":\"over_capacity\"").contains("relay full").contains("65536 bytes");
        assertThat(gauge("ats.relay.stored.bytes")).isLessThanOrEqualTo(64 * 1024);
        assertThat(meters.counter("ats.relay.capacity.refusals", "limit", "channels").count()).isEqualTo(18);
        assertThat(meters.counter("ats.relay.capacity.refusals", "limit", "stored-bytes-per-address").count()).isEqualTo(2);
        assertThat(meters.counter("ats.relay.capacity.refusals", "limit", "stored-bytes").count()).isEqualTo(1);

        // Whoever was there keeps it: the victim's connection and subscription, the stored event's
        // replay for a newcomer to that channel.
        WsClient newcomer = signedIn();
        assertThat(newcomer.send(subscribe(victimTag)).next()).contains("\"type\":\"subscribed\"");
        assertThat(newcomer.next()).contains(before);
        assertThat(newcomer.next()).contains(during);
        assertThat(victim.send("{\"type\":\"heartbeat\"}").next()).contains("heartbeat");

        // The attacker's events expire (2 s) and the room comes back for everyone.
        Thread.sleep(3_500);
        String after = id();
        assertThat(publisher.send(publish(victimTag, after, "AQ", 60)).next()).contains("\"type\":\"ack\"");
        assertThat(victim.next()).contains(after);
        assertThat(newcomer.next()).contains(after);
    }

    private RawWsClient rawSignedIn(String from) throws IOException {
        RawWsClient client = new RawWsClient(port, InetAddress.getByName(from));
        assertThat(client.sendText("{\"type\":\"hello\",\"token\":\"" + MINT.token() + "\",\"protocol\":1}").read().text())
                .contains("welcome");
        return client;
    }

    private double gauge(String name) {
        return meters.get(name).gauge().value();
    }

    private WsClient signedIn() {
        WsClient client = new WsClient(port);
        clients.add(client);
        client.send("{\"type\":\"hello\",\"token\":\"" + MINT.token() + "\",\"protocol\":1}");
        assertThat(client.next()).contains("welcome");
        return client;
    }

    private static String subscribe(String tag) {
        return "{\"type\":\"subscribe\",\"topic\":\"" + tag + "\",\"cell\":\"" + CELL + "\"}";
    }

    private static String publish(String tag, String id, String payload, int ttl) {
        return "{\"type\":\"publish\",\"topic\":\"" + tag + "\",\"cell\":\"" + CELL + "\",\"id\":\"" + id
                + "\",\"ttl\":" + ttl + ",\"payload\":\"" + payload + "\"}";
    }

    private static String id() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
