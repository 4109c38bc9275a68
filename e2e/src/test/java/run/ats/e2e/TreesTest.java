package run.ats.e2e;

import org.junit.jupiter.api.AfterAll;
import run.ats.testkit.PingClient;
import run.ats.testkit.Suite;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import run.ats.protocol.directory.Directory;
import run.ats.protocol.topic.TopicTag;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Five claimed relays form trees through the roots the signed directory ranks: pings cross
 * relays, survive root[0] dying under steady publishing (every unexpired event reaches every
 * subscriber, exactly once), the tree heals back to root[0] when it returns, and all of it goes
 * on with the directory and the main server stopped. A relay that cannot prove its key is refused.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TreesTest {

    private static final String CELL = "dqcj";
    private static Suite suite;
    private static List<Suite.Relay> relays;

    @BeforeAll
    static void startSuite() throws Exception {
        suite = new Suite();
        relays = suite.claimedRelays(5);
    }

    @AfterAll
    static void stopSuite() throws Exception {
        suite.close();
    }

    @Test
    @Order(2)
    void pingsCrossRelaysThroughTheTreeAndSurviveRootZeroDying() throws Exception {
        Directory directory = suite.awaitDirectory(suite.directory.url() + "/v1/directory", d -> d.relays().size() == 5, Duration.ofSeconds(10));
        // A topic whose root[0] serves no client here, so that killing it takes the tree's middle away.
        String tag = null;
        List<String> roots = List.of();
        for (int i = 0; tag == null; i++) {
            String candidate = TopicTag.of("e2e-" + i);
            roots = directory.roots(candidate, CELL);
            if (roots.getFirst().equals(relays.get(2).id)) {
                tag = candidate;
            }
        }
        Suite.Relay root = relays.get(2);
        Suite.Relay publisherRelay = relays.get(0);
        Suite.Relay otherRelay = relays.get(1);

        try (PingClient alice = new PingClient(publisherRelay.ws(), suite.relayToken()).subscribe(tag, CELL);
             PingClient bob = new PingClient(otherRelay.ws(), suite.relayToken()).subscribe(tag, CELL);
             PingClient publisher = new PingClient(publisherRelay.ws(), suite.relayToken())) {
            // Across relays.
            String first = id();
            publisher.publish(tag, CELL, first);
            assertThat(bob.awaitAll(List.of(first), Duration.ofSeconds(10))).as("bob on another relay").isEmpty();
            assertThat(alice.awaitAll(List.of(first), Duration.ofSeconds(10))).isEmpty();
            assertThat(suite.metric(root, "ats_relay_tree_children")).isEqualTo(2);

            // Root[0] dies under steady publishing.
            List<String> ids = new ArrayList<>(List.of(first));
            for (int i = 0; i < 40; i++) {
                if (i == 10) {
                    suite.kill(root);
                }
                String id = id();
                ids.add(id);
                publisher.publish(tag, CELL, id);
                Thread.sleep(50);
            }
            Set<String> bobMissing = bob.awaitAll(ids, Duration.ofSeconds(15));
            assertThat(bobMissing).as("every unexpired event reaches bob after failover").isEmpty();
            assertThat(alice.awaitAll(ids, Duration.ofSeconds(5))).isEmpty();

            // Root[0] returns: the tree heals back to it (after the hold-down) and keeps delivering.
            suite.start(root);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline && suite.metric(root, "ats_relay_tree_children") != 2) {
                Thread.sleep(200);
            }
            assertThat(suite.metric(root, "ats_relay_tree_children")).as("both relays joined the tree at root[0] again").isEqualTo(2);
            String after = id();
            ids.add(after);
            publisher.publish(tag, CELL, after);
            assertThat(bob.awaitAll(List.of(after), Duration.ofSeconds(10))).isEmpty();

            // The directory and the main server go away: pings still flow, and trees still fail over.
            suite.kill(suite.directory);
            suite.kill(suite.main);
            String offline = id();
            ids.add(offline);
            publisher.publish(tag, CELL, offline);
            assertThat(bob.awaitAll(List.of(offline), Duration.ofSeconds(10))).as("delivery without directory and main").isEmpty();
            suite.kill(root);
            List<String> afterFailover = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String id = id();
                afterFailover.add(id);
                publisher.publish(tag, CELL, id);
                Thread.sleep(50);
            }
            assertThat(bob.awaitAll(afterFailover, Duration.ofSeconds(15))).as("failover without directory and main").isEmpty();

            assertThat(bob.duplicates()).as("no event twice").isEmpty();
            assertThat(alice.duplicates()).as("no event twice").isEmpty();
        }
    }

    @Test
    @Order(0)
    void relaysRankTheSameRootsAsTheDirectoryForThousandsOfTrees() throws Exception {
        Directory directory = suite.awaitDirectory(suite.directory.url() + "/v1/directory", d -> d.relays().size() == 5, Duration.ofSeconds(10));
        // What a relay holds (its GET /v1/directory, verified against the directory key) ranks as the directory answers.
        Directory held = suite.awaitDirectory(relays.get(3).http() + "/v1/directory", d -> d.version() >= directory.version(), Duration.ofSeconds(10));
        int compared = 0;
        for (int i = 0; i < 2000; i++) {
            String tag = TopicTag.of("agree-" + i);
            String cell = i % 2 == 0 ? CELL : "u4pr";
            var answer = Suite.json(suite.get(suite.directory, "/v1/trees/" + tag + "/" + cell + "/roots", null).body());
            if (answer.get("version").asLong() != held.version()) {
                continue; // a newer version appeared meanwhile (a heartbeat changed a weight)
            }
            List<String> served = new ArrayList<>();
            answer.get("roots").forEach(root -> served.add(root.asString()));
            assertThat(held.roots(tag, cell)).as(tag + "/" + cell).isEqualTo(served);
            compared++;
        }
        assertThat(compared).as("trees compared on one version").isGreaterThan(1900);
    }

    @Test
    @Order(1)
    void aRelayThatCannotProveItsKeyIsRefused() throws Exception {
        // A stranger claims to be relay 0 on relay 1's link endpoint, but signs with its own key.
        java.security.KeyPair stranger = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        java.util.concurrent.CompletableFuture<String> closed = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.BlockingQueue<String> frames = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(java.net.URI.create("ws://127.0.0.1:" + relays.get(1).port + "/v1/link"), new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                        frames.add(data.toString());
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws, int code, String reason) {
                        closed.complete(code + " " + reason);
                        return null;
                    }
                }).join();
        String challenge = frames.poll(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(challenge).contains("\"type\":\"challenge\"").contains(relays.get(1).id);
        String nonce = Suite.json(challenge).get("nonce").asString();
        byte[] proof = run.ats.protocol.crypto.Ed25519.sign(stranger.getPrivate(),
                run.ats.protocol.wire.LinkCodec.proof(nonce, relays.get(1).id, relays.get(0).id));
        socket.sendText("{\"type\":\"link-hello\",\"relayId\":\"" + relays.get(0).id + "\",\"nonce\":\"" + nonce
                + "\",\"signature\":\"" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(proof) + "\"}", true).join();
        assertThat(closed.get(10, java.util.concurrent.TimeUnit.SECONDS)).startsWith("1008 unauthorized");
        assertThat(suite.metric(relays.get(1), "ats_relay_links_refused_total")).isGreaterThanOrEqualTo(1);
    }

    private static String id() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
