package run.ats.relay.link;

import io.micrometer.core.instrument.MeterRegistry;
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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one listed relay may cost another over a link, with a misbehaving peer speaking the real
 * link protocol to a real relay: its frames are read at the link's rate however fast it sends
 * (nothing lost, only slowed), it cannot join more than {@code max-trees} trees, and announcing
 * ever newer directory versions makes at most one fetch per {@code gossip-interval}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.relay.main-url=http://127.0.0.1:9",
        "ats.relay.enroll=false",
        "ats.relay.link.frames-per-second=" + LinkLimitsTest.FRAMES_PER_SECOND,
        "ats.relay.link.joins-per-second=20",
        "ats.relay.link.max-trees=30",
        "ats.relay.link.gossip-interval=2s",
        "ats.relay.link.allow-private-peers=true"})
class LinkLimitsTest {

    static final int FRAMES_PER_SECOND = 50;
    private static final TokenMint MINT = new TokenMint("main-key-1");
    private static final AtomicLong VERSIONS = new AtomicLong(100);
    private static final String CELL = "dqcj";
    private final List<AutoCloseable> open = new ArrayList<>();

    @LocalServerPort
    int port;
    @Autowired
    DirectoryHolder directory;
    @Autowired
    RelayIdentity identity;
    @Autowired
    MeterRegistry meters;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory("relay-link-limits-test");
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

    private FakePeer linkedPeer() throws Exception {
        FakePeer peer = new FakePeer(directory, identity, "127.0.0.1", VERSIONS.incrementAndGet());
        open.add(peer);
        return peer.link(port);
    }

    @Test
    void aPeerJoiningMoreTreesThanALinkMayCarryIsClosed() throws Exception {
        FakePeer peer = linkedPeer();
        for (int i = 0; i < 31; i++) {
            peer.send(new LinkMessage.Join(TopicTag.of("tree-" + i), CELL));
        }
        assertThat(peer.closed(10)).as("the link is closed at the 31st tree").startsWith("1008").contains("more than 30 trees");
        assertThat(meters.find("ats.relay.links.refused.trees").counter().count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aFloodingPeerIsReadAtTheLinksRateAndLosesNothing() throws Exception {
        String tag = TopicTag.of("flood-" + UUID.randomUUID());
        WsClient reader = new WsClient(port);
        open.add(reader);
        reader.send("{\"type\":\"hello\",\"token\":\"" + MINT.token() + "\",\"protocol\":1}");
        assertThat(reader.next()).contains("welcome");
        reader.send("{\"type\":\"subscribe\",\"topic\":\"" + tag + "\",\"cell\":\"" + CELL + "\"}");
        assertThat(reader.next()).contains("subscribed");

        FakePeer peer = linkedPeer();
        int sent = 150;
        long expiresAt = System.currentTimeMillis() + 60_000;
        for (int i = 0; i < sent; i++) {
            peer.send(new LinkMessage.Event(tag, CELL, "flood-event-" + 1000 + i, "AAAA", expiresAt));
        }
        List<Long> arrivals = new ArrayList<>();
        while (arrivals.size() < sent) {
            assertThat(reader.next()).contains("\"type\":\"event\"");
            arrivals.add(System.currentTimeMillis());
        }
        int busiest = 0;
        for (int start = 0, end = 0; start < arrivals.size(); start++) {
            while (end < arrivals.size() && arrivals.get(end) - arrivals.get(start) < 1000) {
                end++;
            }
            busiest = Math.max(busiest, end - start);
        }
        // One permit per 1/rate s: a second holds at most rate + 1; one more for the reader's jitter.
        assertThat(busiest).as("events handled in the busiest second").isLessThanOrEqualTo(FRAMES_PER_SECOND + 2);
        assertThat(peer.closed(0)).as("a fast peer is slowed, not cut").isNull();
    }

    @Test
    void announcingEverNewerVersionsFetchesAtMostOncePerInterval() throws Exception {
        FakePeer peer = linkedPeer();
        long held = directory.newest().orElseThrow().directory().version();
        for (int i = 1; i <= 50; i++) {
            peer.send(new LinkMessage.DirectoryVersion(held + i));
        }
        Thread.sleep(3000);
        // One at once, and one when the 2 s interval is over for the versions announced meanwhile.
        assertThat(peer.directoryFetches()).isBetween(1, 2);
    }
}
