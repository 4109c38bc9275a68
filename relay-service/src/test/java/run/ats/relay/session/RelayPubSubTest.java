package run.ats.relay.session;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** One relay, real WebSocket clients, the whole client protocol and its bad paths. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.relay.main-url=http://127.0.0.1:9",
        "ats.relay.hello-timeout=1s",
        "ats.relay.max-subscriptions=3",
        "ats.relay.publishes-per-second=100000",
        "ats.relay.publishes-per-second-per-token=100000",
        "ats.relay.frames-per-second=200000",
        "ats.relay.outbound-queue=64KB",
        "ats.relay.max-event-ttl=3s"})
class RelayPubSubTest {

    private static final TokenMint MINT = new TokenMint("main-key-1");
    /** A topic of each test's own: events from other tests live on for their TTL. */
    private final String TAG = TopicTag.of("topic-" + UUID.randomUUID());
    private static final String CELL = "dqcj";
    private static Path dir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        dir = Files.createTempDirectory("relay-test");
        registry.add("ats.relay.jwks-file", () -> MINT.writeJwks(dir).toString());
        registry.add("ats.relay.key-file", () -> dir.resolve("relay.key").toString());
    }

    @LocalServerPort
    int port;
    @Autowired
    MeterRegistry meters;

    private final List<WsClient> clients = new ArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(WsClient::close);
    }

    private WsClient connect() {
        WsClient client = new WsClient(port);
        clients.add(client);
        return client;
    }

    private WsClient signedIn() {
        WsClient client = connect().send(hello(MINT.token()));
        assertThat(client.next()).contains("\"type\":\"welcome\"").contains("\"protocol\":1").contains("\"limits\"");
        return client;
    }

    private WsClient subscribed(String tag, String cell) {
        WsClient client = signedIn().send(subscribe(tag, cell));
        assertThat(client.next()).isEqualTo("{\"type\":\"subscribed\",\"topic\":\"" + tag + "\",\"cell\":\"" + cell + "\"}");
        return client;
    }

    @Test
    void twoClientsExchangeAPing() throws Exception {
        WsClient alice = subscribed(TAG, CELL);
        WsClient bob = subscribed(TAG, CELL);
        String id = eventId();
        long before = System.currentTimeMillis();

        alice.send(publish(id, 60, "AAECAw"));

        assertThat(alice.next()).isEqualTo("{\"type\":\"ack\",\"id\":\"" + id + "\"}");
        String event = bob.next();
        assertThat(event).startsWith("{\"type\":\"event\",\"topic\":\"" + TAG + "\",\"cell\":\"dqcj\",\"id\":\"" + id
                + "\",\"payload\":\"AAECAw\",\"expiresAt\":");
        long expiresAt = Long.parseLong(event.replaceAll(".*\"expiresAt\":(\\d+).*", "$1"));
        assertThat(expiresAt).isBetween(before + 2_900, System.currentTimeMillis() + 3_100); // capped at max-event-ttl 3 s
        assertNothingMore(alice);
    }

    @Test
    void otherCellsAndTopicsHearNothing() throws Exception {
        WsClient alice = subscribed(TAG, CELL);
        WsClient elsewhere = subscribed(TAG, "dqcm");
        WsClient otherTopic = subscribed(TopicTag.of("another " + TAG), CELL);
        alice.send(publish(eventId(), 60, "AA"));
        alice.next();
        assertNothingMore(elsewhere);
        assertNothingMore(otherTopic);
    }

    @Test
    void lateSubscriberGetsUnexpiredEventsAndNothingAfterExpiry() throws Exception {
        WsClient alice = signedIn();
        String id = eventId();
        alice.send(publish(id, 2, "AQ")).next();

        WsClient late = subscribed(TAG, CELL);
        assertThat(late.next()).contains("\"id\":\"" + id + "\"");

        Thread.sleep(3_200); // past the 2 s TTL and a sweep
        WsClient later = subscribed(TAG, CELL);
        assertNothingMore(later);
    }

    @Test
    void duplicatesAreDroppedAndUnsubscribeStopsDelivery() throws Exception {
        WsClient alice = signedIn();
        WsClient bob = subscribed(TAG, CELL);
        String id = eventId();
        alice.send(publish(id, 60, "AQ")).next();
        alice.send(publish(id, 60, "AQ")).next();
        assertThat(bob.next()).contains(id);
        assertNothingMore(bob);

        bob.send("{\"type\":\"unsubscribe\",\"topic\":\"" + TAG + "\",\"cell\":\"" + CELL + "\"}");
        assertThat(bob.next()).contains("\"type\":\"unsubscribed\"");
        alice.send(publish(eventId(), 60, "AQ")).next();
        assertNothingMore(bob);
    }

    @Test
    void badFramesGetErrorsAndOthersKeepReceiving() throws Exception {
        WsClient bad = signedIn();
        WsClient alice = signedIn();
        WsClient bob = subscribed(TAG, CELL);
        String big = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[4097]);
        String[][] table = {
                {"{", "bad_request"},
                {"[]", "bad_request"},
                {"{\"type\":\"subscribe\",\"topic\":1,\"cell\":\"dqcj\"}", "bad_request"},
                {"{\"type\":\"subscribe\",\"topic\":\"a.b\",\"cell\":\"dqcj\"}", "bad_request"},
                {"{\"type\":\"subscribe\",\"topic\":\"t\",\"cell\":\"dqca\"}", "bad_request"},
                {"{\"type\":\"publish\",\"topic\":\"t\",\"cell\":\"dqcj\",\"id\":\"short\",\"ttl\":5,\"payload\":\"\"}", "bad_request"},
                {publish(eventId(), 5, big), "too_large"},
                {"{\"type\":\"x\"" + ",\"n\":".repeat(0) + "}", "unknown_type"},
                {"{\"type\":\"heartbeat\",\"x\":" + "[".repeat(40) + "]".repeat(40) + "}", "bad_request"},
                {hello(MINT.token()), "bad_request"},
        };
        for (String[] row : table) {
            bad.send(row[0]);
            assertThat(bad.next()).as(row[0]).contains("\"type\":\"error\"").contains("\"code\":\"" + row[1] + "\"");
            String id = eventId();
            alice.send(publish(id, 60, "AQ")).next();
            assertThat(bob.next()).contains(id);
        }
        bad.sendBinary(new byte[]{1, 2, 3});
        assertThat(bad.next()).contains("\"code\":\"bad_request\"").contains("binary");
        bad.send("{\"type\":\"heartbeat\"}");
        assertThat(bad.next()).isEqualTo("{\"type\":\"heartbeat\"}");
    }

    @Test
    void invalidUtf8FailsThatConnectionWith1007AndOthersKeepReceiving() throws Exception {
        WsClient alice = subscribed(TAG, CELL);
        WsClient bob = subscribed(TAG, CELL);
        try (RawWsClient raw = new RawWsClient(port)) {
            assertThat(raw.sendText(hello(MINT.token())).read().text()).contains("\"type\":\"welcome\"");

            // RFC 6455 section 8.1: a text frame that is not UTF-8 fails the connection with 1007.
            raw.sendText(new byte[] {'{', (byte) 0xC3, '(', '}'});

            RawWsClient.Frame frame = raw.read();
            assertThat(frame.opcode()).isEqualTo(RawWsClient.CLOSE);
            assertThat(frame.closeCode()).isEqualTo(1007);
        }
        String id = eventId();
        alice.send(publish(id, 60, "AQ"));
        assertThat(bob.next()).contains("\"id\":\"" + id + "\"");
    }

    @Test
    void subscriptionLimitIsAnError() {
        WsClient client = signedIn();
        for (String cell : List.of("dqc0", "dqc1", "dqc2")) {
            client.send(subscribe(TAG, cell));
            assertThat(client.next()).contains("subscribed");
        }
        client.send(subscribe(TAG, "dqc3"));
        assertThat(client.next()).contains("\"code\":\"limit_reached\"");
    }

    @Test
    void publishBeforeHelloCloses() {
        WsClient client = connect().send(publish(eventId(), 5, "AQ"));
        WsClient.Closed closed = client.closed(Duration.ofSeconds(5));
        assertThat(closed.code()).isEqualTo(1008);
        assertThat(closed.reason()).contains("hello");
    }

    @Test
    void silenceBeforeHelloCloses() {
        WsClient client = connect();
        WsClient.Closed closed = client.closed(Duration.ofSeconds(5));
        assertThat(closed.code()).isEqualTo(1008);
        assertThat(closed.reason()).contains("hello");
    }

    @Test
    void oversizedFrameCloses() {
        WsClient client = signedIn();
        client.send("{\"type\":\"heartbeat\",\"pad\":\"" + "x".repeat(20_000) + "\"}");
        WsClient.Closed closed = client.closed(Duration.ofSeconds(5));
        assertThat(closed.code()).isEqualTo(1009);
        assertThat(closed.reason()).contains("16384");
    }

    @Test
    void badTokensAreRefusedWithAClearClose() {
        TokenMint stranger = new TokenMint("main-key-1"); // same kid, another key
        TokenMint unknown = new TokenMint("someone-else");
        String[][] cases = {
                {MINT.expired(), "expired"},
                {MINT.wrongAudience(), "audience"},
                {stranger.token(), "bad signature"},
                {unknown.token(), "unknown signing key"},
                {MINT.unsigned(), "not a signed JWT"},
                {"garbage", "not a signed JWT"},
        };
        for (String[] row : cases) {
            WsClient client = connect().send(hello(row[0]));
            WsClient.Closed closed = client.closed(Duration.ofSeconds(5));
            assertThat(closed.code()).as(row[1]).isEqualTo(1008);
            assertThat(closed.reason()).as(row[1]).startsWith("unauthorized").contains(row[1]);
        }
        WsClient wrongProtocol = connect().send("{\"type\":\"hello\",\"token\":\"" + MINT.token() + "\",\"protocol\":2}");
        assertThat(wrongProtocol.closed(Duration.ofSeconds(5)).reason()).contains("protocol 2");
    }

    @Test
    void stalledReaderIsClosedWhileOthersKeepUp() throws Exception {
        WsClient publisher = signedIn();
        WsClient stalled = subscribed(TAG, CELL);
        WsClient fast = subscribed(TAG, CELL);
        stalled.stopReading();
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[4000]);
        int count = 3_000; // 12 MB: beyond any socket buffer and the 64 KB queue
        for (int i = 0; i < count; i++) {
            publisher.send(publish(eventId(), 60, payload));
            assertThat(publisher.next()).contains("\"type\":\"ack\"");
            assertThat(fast.next()).contains("\"type\":\"event\"");
        }
        // The close frame sits behind the backlog the stalled reader never read, so it usually
        // sees the socket drop (1006, or an I/O error: -1) rather than the 1008; the relay
        // counts the close either way.
        stalled.resumeReading();
        assertThat(stalled.closed(Duration.ofSeconds(10)).code()).isIn(-1, 1006, 1008);
        assertThat(meters.counter("ats.relay.slow.consumer.closes").count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void theKeyFileIsTheOnlyFileTheRelayWrote() throws Exception {
        WsClient alice = subscribed(TAG, CELL);
        alice.send(publish(eventId(), 60, "AQ")).next();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("jwks.json", "relay.key");
        }
        assertThat(Files.readString(dir.resolve("relay.key"), StandardCharsets.US_ASCII).lines()).hasSize(2);
    }

    private static void assertNothingMore(WsClient client) throws InterruptedException {
        // A heartbeat round trip: anything queued before it would arrive first.
        client.send("{\"type\":\"heartbeat\"}");
        assertThat(client.poll(Duration.ofSeconds(5))).isEqualTo("{\"type\":\"heartbeat\"}");
    }

    private static String hello(String token) {
        return "{\"type\":\"hello\",\"token\":\"" + token + "\",\"protocol\":1}";
    }

    private static String subscribe(String tag, String cell) {
        return "{\"type\":\"subscribe\",\"topic\":\"" + tag + "\",\"cell\":\"" + cell + "\"}";
    }

    private String publish(String id, int ttl, String payload) {
        return "{\"type\":\"publish\",\"topic\":\"" + TAG + "\",\"cell\":\"" + CELL + "\",\"id\":\"" + id
                + "\",\"ttl\":" + ttl + ",\"payload\":\"" + payload + "\"}";
    }

    private static String eventId() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
