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
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A channel filled to its limit with the largest events (1,000 of 4 KB, about 5.6 MB of frames,
 * twenty times the default outbound bound) must not poison it: every new subscriber gets the
 * whole replay, paced to what its socket takes, and live events after it. The outbound bound
 * is the default one.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.relay.main-url=http://127.0.0.1:9",
        "ats.relay.publishes-per-second=100000",
        "ats.relay.publishes-per-second-per-token=100000",
        "ats.relay.frames-per-second=100000",
        "ats.relay.max-event-ttl=2m",
        // Every publisher here is 127.0.0.1, and the tests together store over 16 MB.
        "ats.relay.max-stored-bytes-per-address=128MB"})
class RelayReplayTest {

    private static final TokenMint MINT = new TokenMint("replay-key");
    private static final Pattern EVENT_ID = Pattern.compile("\"type\":\"event\".*\"id\":\"([A-Za-z0-9_-]+)\"");
    private static final int EVENTS = 1_000;
    private static final String CELL = "dqcj";
    private final String tag = TopicTag.of("replay-" + UUID.randomUUID());
    private final List<WsClient> clients = new ArrayList<>();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory("relay-replay");
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
    void aFreshSubscriberToAFullChannelGetsTheWholeReplayThenLiveEvents() {
        WsClient publisher = signedIn();
        List<String> stored = fill(publisher);

        WsClient subscriber = subscribed();
        assertThat(eventIds(subscriber, EVENTS)).as("the whole replay, oldest first").isEqualTo(stored);

        String live = publish(publisher);
        assertThat(eventIds(subscriber, 1)).containsExactly(live);
    }

    @Test
    void aReaderThatPausesDuringItsReplayIsNotClosedAndGetsItAll() throws Exception {
        WsClient publisher = signedIn();
        List<String> stored = fill(publisher);

        WsClient subscriber = signedIn();
        subscriber.send(subscribe());
        subscriber.stopReading();
        // Stalled for longer than a slow consumer would be tolerated, with nothing live to send.
        Thread.sleep(2_000);
        subscriber.resumeReading();
        assertThat(subscriber.next()).contains("\"type\":\"subscribed\"");
        assertThat(eventIds(subscriber, EVENTS)).isEqualTo(stored);
        String live = publish(publisher);
        assertThat(eventIds(subscriber, 1)).containsExactly(live);
    }

    @Test
    void twoFullChannelsReplayToOneReaderTogether() {
        WsClient publisher = signedIn();
        List<String> first = fill(publisher);
        String otherTag = TopicTag.of("replay-" + UUID.randomUUID());
        List<String> second = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            second.add(publish(publisher, otherTag));
        }

        WsClient subscriber = subscribed();
        subscriber.send("{\"type\":\"subscribe\",\"topic\":\"" + otherTag + "\",\"cell\":\"" + CELL + "\"}");
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        // The second "subscribed" comes with the first replay, which is still being paced out.
        List<String> received = new ArrayList<>();
        boolean subscribedTwice = false;
        while (received.size() < 2 * EVENTS) {
            String frame = subscriber.next();
            Matcher id = EVENT_ID.matcher(frame);
            if (id.find()) {
                received.add(id.group(1));
            } else {
                subscribedTwice |= frame.contains("\"type\":\"subscribed\"");
            }
        }
        assertThat(subscribedTwice).isTrue();
        assertThat(received).isEqualTo(all);
    }

    private List<String> fill(WsClient publisher) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            ids.add(publish(publisher));
        }
        return ids;
    }

    private WsClient signedIn() {
        WsClient client = new WsClient(port);
        clients.add(client);
        client.send("{\"type\":\"hello\",\"token\":\"" + MINT.token() + "\",\"protocol\":1}");
        assertThat(client.next()).contains("welcome");
        return client;
    }

    private WsClient subscribed() {
        WsClient client = signedIn().send(subscribe());
        assertThat(client.next()).contains("\"type\":\"subscribed\"");
        return client;
    }

    private String subscribe() {
        return "{\"type\":\"subscribe\",\"topic\":\"" + tag + "\",\"cell\":\"" + CELL + "\"}";
    }

    private String publish(WsClient publisher) {
        return publish(publisher, tag);
    }

    /** Publishes a 4 KB event (the largest payload) and waits for its ack. */
    private static String publish(WsClient publisher, String topic) {
        String id = UUID.randomUUID().toString().replace("-", "");
        byte[] payload = new byte[4096];
        new SecureRandom().nextBytes(payload);
        publisher.send("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"cell\":\"" + CELL + "\",\"id\":\"" + id
                + "\",\"ttl\":120,\"payload\":\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(payload) + "\"}");
        assertThat(publisher.next()).isEqualTo("{\"type\":\"ack\",\"id\":\"" + id + "\"}");
        return id;
    }

    /** The ids of the next {@code count} frames, each of which must be an event. */
    private static List<String> eventIds(WsClient client, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String frame = client.next();
            Matcher id = EVENT_ID.matcher(frame);
            assertThat(id.find()).as("an event, not %s", frame.length() > 200 ? frame.substring(0, 200) : frame).isTrue();
            ids.add(id.group(1));
        }
        return ids;
    }
}
