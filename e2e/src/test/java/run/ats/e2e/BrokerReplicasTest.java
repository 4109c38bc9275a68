package run.ats.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import run.ats.protocol.topic.TopicTag;
import run.ats.testkit.PingClient;
import run.ats.testkit.ServiceProcess;
import run.ats.testkit.Suite;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas of one broker: the relay's tunnel is up on replica A only, and a client that
 * reaches replica B (as a load balancer may send it) is served all the same: B asks the
 * replicas, finds A, and hands the connection over.
 */
class BrokerReplicasTest {

    private static final String TOKEN = "replicas-share-this-token-0123456789abcdef";
    /** Broker A's limit of open connections per client address (everything here comes from 127.0.0.1). */
    private static final int PER_ADDRESS = 4;
    private static Suite suite;
    private static ServiceProcess replicaB;
    private static int replicaBPublic;

    @BeforeAll
    static void startTwoReplicas() throws Exception {
        int replicaBApi = ServiceProcess.freePort();
        replicaBPublic = ServiceProcess.freePort();
        suite = Suite.withBrokerSettings(List.of("--ats.broker.peers.token=" + TOKEN,
                "--ats.broker.peers.urls=http://127.0.0.1:" + replicaBApi, "--ats.broker.max-connections-per-address=" + PER_ADDRESS));
        replicaB = suite.startAnotherBroker("broker-replica-b", replicaBApi, replicaBPublic, List.of(
                "--ats.broker.peers.token=" + TOKEN, "--ats.broker.peers.urls=" + suite.broker.url() + ",http://127.0.0.1:" + replicaBApi));
    }

    @AfterAll
    static void stopSuite() throws Exception {
        suite.close();
    }

    @Test
    void aReplicaWithoutTheTunnelHandsTheConnectionToTheOneWithIt() throws Exception {
        Suite.Relay relay = suite.claimedRelays(1).getFirst();
        String name = suite.awaitTunnel(relay);
        assertThat(Suite.json(suite.get(replicaB, "/v1/names/" + name, null).body()).get("online").asBoolean()).isFalse();

        // A WebSocket client and a plain request, both through replica B.
        pingThrough(replicaBPublic, name);
        assertThat(statusLine(replicaBPublic, name, "/v1/directory")).contains("200");
        assertThat(suite.metric(replicaB, "ats_broker_peer_handovers_total")).isGreaterThanOrEqualTo(2);
        // B's own checks still hold before anything is handed over.
        assertThat(statusLine(replicaBPublic, name, "/index.html")).contains("404");

        // Only a replica with the token learns where a tunnel is.
        try (HttpClient http = HttpClient.newHttpClient()) {
            String lookup = suite.broker.url() + "/internal/v1/tunnels/" + relay.id;
            assertThat(http.send(HttpRequest.newBuilder(URI.create(lookup)).header("Authorization", "Bearer " + TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("\"publicPort\":" + suite.brokerPublicPort);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(lookup)).header("Authorization", "Bearer not-the-token").build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(lookup)).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
                    .isEqualTo(404);
        }

        // One address cannot hold more than its share of connections; a replica handing over is not counted.
        // The relay's tunnel is one connection from 127.0.0.1; three idle ones make the limit.
        List<Socket> idle = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < PER_ADDRESS - 1; i++) {
                idle.add(new Socket(InetAddress.getLoopbackAddress(), suite.brokerPublicPort));
            }
            Thread.sleep(300);
            assertThat(statusLine(suite.brokerPublicPort, name, "/v1/directory")).contains("429");
            assertThat(statusLine(replicaBPublic, name, "/v1/directory")).as("handed over by B, also from 127.0.0.1").contains("200");
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String after = "";
        while (System.nanoTime() < deadline && !after.contains("200")) {
            after = statusLine(suite.brokerPublicPort, name, "/v1/directory");
            Thread.sleep(100);
        }
        assertThat(after).as("once the idle connections closed").contains("200");

        // Offline everywhere: B answers 503 at once, no hang, no loop between the replicas.
        suite.kill(relay);
        Thread.sleep(2500); // the replicas' answers are kept for 2 s
        long started = System.nanoTime();
        assertThat(statusLine(replicaBPublic, name, "/v1/directory")).contains("503");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    /** The status line of one request through a broker's public port, by name. */
    private static String statusLine(int port, String name, String path) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + name + "." + Suite.BROKER_DOMAIN + ":" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c; (c = in.read()) != -1 && c != '\n'; ) {
                line.append((char) c);
            }
            return line.toString().trim();
        }
    }

    private static void pingThrough(int port, String name) throws Exception {
        String host = name + "." + Suite.BROKER_DOMAIN + ":" + port;
        String tag = TopicTag.of("replicas-" + UUID.randomUUID());
        try (PingClient subscriber = new PingClient("ws://127.0.0.1:" + port + "/v1/ws", host, suite.relayToken()).subscribe(tag, "u4pr");
             PingClient publisher = new PingClient("ws://127.0.0.1:" + port + "/v1/ws", host, suite.relayToken())) {
            String id = UUID.randomUUID().toString().replace("-", "");
            publisher.publish(tag, "u4pr", id);
            assertThat(subscriber.awaitAll(List.of(id), Duration.ofSeconds(10))).as("through replica B on " + port).isEmpty();
        }
    }
}
