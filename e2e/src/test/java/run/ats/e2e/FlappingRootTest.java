package run.ats.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import run.ats.protocol.directory.Directory;
import run.ats.protocol.topic.TopicTag;
import run.ats.testkit.PingClient;
import run.ats.testkit.Suite;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A root that keeps coming back and dying again does not drag its tree along: relays that
 * failed over stay with root[1] through the hold-down, which grows with every drop; root[1]
 * links up to the returned root[0] at once, so the tree stays one while the relays below still
 * hold on to root[1]; a root that hangs without closing its sockets is left within the
 * keep-alive. No event is lost or delivered twice throughout.
 *
 * <p>Three relays, ranked for the test's tree as root[0] = relays 0, root[1] = relay 1 and
 * relay 2 below them (the test picks a topic for which the signed directory ranks them so).
 */
class FlappingRootTest {

    private static final String CELL = "dqcj";
    private static final long HOLD_DOWN_MS = 3000;
    private static Suite suite;
    private static List<Suite.Relay> relays;

    @BeforeAll
    static void startSuite() throws Exception {
        suite = new Suite();
        suite.relaySettings.addAll(List.of("--ats.relay.link-hold-down=" + HOLD_DOWN_MS + "ms", "--ats.relay.link-keepalive=300ms",
                "--logging.level.run.ats.relay.link.TreeRouter=debug"));
        relays = suite.claimedRelays(3);
    }

    @AfterAll
    static void stopSuite() throws Exception {
        suite.close();
    }

    @Test
    void aFlappingRootMovesNoTreeAndAHungRootIsLeftWithinTheKeepAlive() throws Exception {
        Directory directory = suite.awaitDirectory(suite.directory.url() + "/v1/directory", d -> d.relays().size() == 3, Duration.ofSeconds(10));
        List<String> order = relays.stream().map(r -> r.id).toList();
        String tag = null;
        for (int i = 0; tag == null && i < 10_000; i++) {
            String candidate = TopicTag.of("flap-" + i);
            if (directory.roots(candidate, CELL).equals(order)) {
                tag = candidate;
            }
        }
        assertThat(tag).as("a topic ranked relay 0, 1, 2").isNotNull();
        Suite.Relay root = relays.get(0);
        Suite.Relay second = relays.get(1);
        Suite.Relay below = relays.get(2);
        List<String> ids = new ArrayList<>();

        try (PingClient onSecond = new PingClient(second.ws(), suite.relayToken()).subscribe(tag, CELL);
             PingClient onBelow = new PingClient(below.ws(), suite.relayToken()).subscribe(tag, CELL);
             PingClient publisher = new PingClient(below.ws(), suite.relayToken())) {
            await(() -> metric(root, "ats_relay_tree_children") == 2, "relays 1 and 2 joined root[0]");
            publishAndExpect(publisher, tag, ids, onSecond);

            // Root[0] crashes: both fail over (relay 2 to relay 1; relay 1 is now the top).
            suite.kill(root);
            publishAndExpect(publisher, tag, ids, onSecond);
            await(() -> metric(second, "ats_relay_tree_children") == 1, "relay 2 joined relay 1");
            double movesBelow = metric(below, "ats_relay_tree_moves_total");

            // It returns. Relay 1 links up to it at once; relay 2 holds on to relay 1 (hold-down),
            // yet a subscriber on root[0] gets what relay 2 publishes: still one tree.
            suite.start(root);
            await(() -> metric(root, "ats_relay_links_children") == 2 && metric(root, "ats_relay_tree_children") == 1,
                    "relay 1 joined the returned root[0], relay 2 linked to it without joining");
            try (PingClient onRoot = new PingClient(root.ws(), suite.relayToken()).subscribe(tag, CELL)) {
                String id = id();
                ids.add(id);
                publisher.publish(tag, CELL, id);
                assertThat(onRoot.awaitAll(List.of(id), Duration.ofSeconds(5))).as("relay 2 -> relay 1 -> root[0]").isEmpty();
                assertThat(onSecond.awaitAll(List.of(id), Duration.ofSeconds(5))).isEmpty();
            }
            assertThat(metric(below, "ats_relay_tree_moves_total")).as("relay 2 still within its hold-down").isEqualTo(movesBelow);

            // It flaps: dies again within the hold-down, twice. Relay 2 never moves.
            for (int flap = 0; flap < 2; flap++) {
                suite.kill(root);
                publishAndExpect(publisher, tag, ids, onSecond);
                suite.start(root);
                await(() -> metric(root, "ats_relay_links_children") == 2, "relays 1 and 2 linked to the returned root[0]");
            }
            assertThat(metric(below, "ats_relay_tree_moves_total")).as("no move while root[0] flaps").isEqualTo(movesBelow);

            // Now it stays. Three drops: the hold-down is 4x the base before relay 2 moves back.
            long cameBack = System.nanoTime();
            Thread.sleep(HOLD_DOWN_MS + 1000);
            assertThat(metric(below, "ats_relay_tree_moves_total")).as("the damped hold-down outlasts the base one").isEqualTo(movesBelow);
            await(() -> metric(root, "ats_relay_tree_children") == 2, Duration.ofMillis(HOLD_DOWN_MS * 4 + 10_000),
                    "relay 2 moved back to root[0]");
            assertThat(Duration.ofNanos(System.nanoTime() - cameBack)).isGreaterThanOrEqualTo(Duration.ofMillis(HOLD_DOWN_MS * 4 - 1000));
            publishAndExpect(publisher, tag, ids, onSecond);

            // Root[0] hangs (SIGSTOP): no FIN, no RST. The keep-alive notices; the tree fails over.
            root.process.pause();
            try {
                publishAndExpect(publisher, tag, ids, onSecond);
            } finally {
                root.process.resume();
            }

            assertThat(onBelow.awaitAll(ids, Duration.ofSeconds(10))).as("every event on relay 2").isEmpty();
            assertThat(onSecond.awaitAll(ids, Duration.ofSeconds(10))).as("every event on relay 1").isEmpty();
            assertThat(onSecond.duplicates()).as("no event twice").isEmpty();
            assertThat(onBelow.duplicates()).as("no event twice").isEmpty();
        }
    }

    /** Publishes five events from relay 2; relay 1's subscriber must get them within ten seconds. */
    private static void publishAndExpect(PingClient publisher, String tag, List<String> ids, PingClient subscriber) throws Exception {
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = id();
            batch.add(id);
            publisher.publish(tag, CELL, id);
            Thread.sleep(20);
        }
        ids.addAll(batch);
        assertThat(subscriber.awaitAll(batch, Duration.ofSeconds(10))).as("delivered across relays").isEmpty();
    }

    private static void await(BooleanSupplier condition, String what) throws Exception {
        await(condition, Duration.ofSeconds(20), what);
    }

    private static void await(BooleanSupplier condition, Duration wait, String what) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within " + wait + ": " + what);
    }

    private static double metric(Suite.Relay relay, String series) {
        try {
            return suite.metric(relay, series);
        } catch (Exception unreachable) {
            return Double.NaN;
        }
    }

    private static String id() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
