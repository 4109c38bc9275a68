package run.ats.relay.link;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import run.ats.protocol.topic.TopicTag;
import run.ats.protocol.wire.LinkMessage;
import run.ats.relay.directory.DirectoryHolder;
import run.ats.relay.identity.RelayIdentity;
import run.ats.relay.testsupport.TokenMint;
import run.ats.relay.testsupport.WsClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tree filled with the largest events (999 of 4 KB, about 5.6 MB of frames) must not poison
 * the links that join it: a link carries every tree two relays share, so closing it as a slow
 * consumer because of one tree's replay would cut them all. The replay is paced to what the
 * link's socket takes, and live events follow it. Issue 18, item 5, for links.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.relay.main-url=http://127.0.0.1:9",
        "ats.relay.enroll=false",
        "ats.relay.publishes-per-second=100000",
        "ats.relay.publishes-per-second-per-token=100000",
        "ats.relay.frames-per-second=100000",
        "ats.relay.max-event-ttl=2m",
        "ats.relay.link.allow-private-peers=true"})
class LinkReplayTest {

    private static final TokenMint MINT = new TokenMint("main-key-1");
    private static final AtomicLong VERSIONS = new AtomicLong(100);
    /** A channel keeps 1,000 events (max-events-per-channel): the live one is the 1,000th, so none is evicted. */
    private static final int EVENTS = 999;
    private static final String CELL = "dqcj";
    private final List<AutoCloseable> open = new ArrayList<>();

    @LocalServerPort
    int port;
    @Autowired
    DirectoryHolder directory;
    @Autowired
    RelayIdentity identity;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory("relay-link-replay-test");
        registry.add("ats.relay.jwks-file", () -> MINT.writeJwks(dir).toString());
        registry.add("ats.relay.key-file", () -> dir.resolve("relay.key").toString());
        registry.add("ats.relay.directory-key", FakePeer::directoryKey);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
    }

    @Test
    void aSlowChildJoiningAFullTreeGetsTheWholeReplayAndLiveEventsAndKeepsItsLink() throws Exception {
        String tag = TopicTag.of("link-replay-" + UUID.randomUUID());
        WsClient publisher = new WsClient(port);
        open.add(publisher);
        publisher.send("{\"type\":\"hello\",\"token\":\"" + MINT.token() + "\",\"protocol\":1}");
        assertThat(publisher.next()).contains("welcome");
        List<String> stored = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            stored.add(publish(publisher, tag));
        }

        FakePeer child = new FakePeer(directory, identity, "127.0.0.1", VERSIONS.incrementAndGet());
        open.add(child);
        child.link(port);
        // A peer that reads slowly: the replay backs up in the relay's socket while a live event comes.
        child.pause();
        child.send(new LinkMessage.Join(tag, CELL));
        Thread.sleep(1_000);
        String live = publish(publisher, tag);
        child.resume();

        List<String> expected = new ArrayList<>(stored);
        expected.add(live);
        // A relay drops an event id it has seen, so an event that both replays and arrives live
        // (published while the join was being taken) costs bandwidth, never a duplicate: count ids.
        Set<String> received = new LinkedHashSet<>();
        while (!received.containsAll(expected)) {
            LinkMessage message;
            try {
                message = child.next();
            } catch (AssertionError stalled) {
                throw new AssertionError("stalled after " + received.size() + " events; link closed: " + child.closed(0), stalled);
            }
            if (message instanceof LinkMessage.Event event) {
                received.add(event.id());
            }
        }
        assertThat(child.closed(0)).as("the link stays open").isNull();
        assertThat(received).as("the whole replay and the live event, nothing else").containsExactlyInAnyOrderElementsOf(expected);
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
}
