package run.ats.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import run.ats.protocol.directory.Directory;
import run.ats.protocol.topic.TopicTag;
import run.ats.testkit.PingClient;
import run.ats.testkit.ServiceProcess;
import run.ats.testkit.Suite;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

/**
 * Directory versions spread relay to relay: a relay whose directory replica is gone still gets
 * the next version, signed by the directory key, from the peer it is linked to.
 */
class GossipTest {

    private static Suite suite;

    @BeforeAll
    static void startSuite() throws Exception {
        suite = new Suite();
    }

    @AfterAll
    static void stopSuite() throws Exception {
        suite.close();
    }

    @Test
    void aRelayCutOffFromTheDirectoryGetsTheNextVersionFromItsPeer() throws Exception {
        ServiceProcess replica = suite.startDirectoryReplica("directory-replica");
        List<Suite.Relay> relays = suite.claimedRelays(2);
        Suite.Relay cutOff = new Suite.Relay("relay-cut-off", ServiceProcess.freePort(), Files.createTempDirectory("e2e-relay").resolve("relay.key"));
        cutOff.directoryUrl = replica.url();
        suite.start(cutOff);
        suite.claim(cutOff);
        Directory all = suite.awaitDirectory(suite.directory.url() + "/v1/directory",
                d -> d.relays().size() == 3 && d.relays().stream().allMatch(r -> r.weight() > 0), Duration.ofSeconds(30));

        // A tree whose root[0] is relay 0; a subscriber on the cut-off relay makes it link there.
        String tag = null;
        for (int i = 0; tag == null; i++) {
            String candidate = TopicTag.of("gossip-" + i);
            if (all.roots(candidate, "dqcj").getFirst().equals(relays.getFirst().id)) {
                tag = candidate;
            }
        }
        try (PingClient subscriber = new PingClient(cutOff.ws(), suite.relayToken()).subscribe(tag, "dqcj")) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (suite.metric(relays.getFirst(), "ats_relay_tree_children") < 1 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }

            // Its replica goes away; the operator changes N through the other one.
            suite.kill(replica);
            suite.setRootsPerTree(5);
            Directory next = suite.awaitDirectory(relays.getFirst().http() + "/v1/directory", d -> d.rootsPerTree() == 5, Duration.ofSeconds(10));
            suite.awaitDirectory(cutOff.http() + "/v1/directory", d -> d.version() >= next.version() && d.rootsPerTree() == 5,
                    Duration.ofSeconds(10));
        }
    }
}
