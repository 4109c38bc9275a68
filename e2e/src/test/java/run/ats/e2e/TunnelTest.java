package run.ats.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import run.ats.protocol.relay.RelayNames;
import run.ats.protocol.topic.TopicTag;
import run.ats.testkit.PingClient;
import run.ats.testkit.ServiceProcess;
import run.ats.testkit.Suite;
import run.ats.tunnel.TunnelHandshake;
import tools.jackson.databind.JsonNode;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Relays that listen on loopback only are reached by name through the tunnel broker: claimed
 * with a name, their tunnel up, a PWA-style client publishes and receives through
 * {@code name.relays.localhost}, and relays link to each other through it too. The broker
 * forwards nothing but the relay's own endpoints, routes no Host trick, answers an offline relay
 * at once with 503, refuses tunnels from a wrong key, an unclaimed relay or for another's name,
 * and everything recovers when a relay or the broker restarts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TunnelTest {

    private static final String CELL = "u4pr";
    private static Suite suite;
    private static List<Suite.Relay> relays;
    private static List<String> names;

    @BeforeAll
    static void startSuite() throws Exception {
        suite = Suite.withBroker();
        relays = suite.claimedRelays(2);
        names = new ArrayList<>();
        for (Suite.Relay relay : relays) {
            names.add(suite.awaitTunnel(relay));
        }
    }

    @AfterAll
    static void stopSuite() throws Exception {
        suite.close();
    }

    @Test
    @Order(0)
    void claimedRelaysGetNamesAndPingsFlowOnlyThroughTheBroker() throws Exception {
        // The owner's list shows the name and the public URL through the broker.
        JsonNode owned = Suite.json(suite.get(suite.main, "/v1/relays", suite.signIn("operator@example.com")).body());
        List<String> listed = new ArrayList<>();
        owned.forEach(relay -> listed.add(relay.get("name").asString()));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(names);
        owned.forEach(relay -> assertThat(relay.get("publicUrl").asString())
                .isEqualTo("ws://" + relay.get("name").asString() + "." + Suite.BROKER_DOMAIN + ":" + suite.brokerPublicPort + "/v1/ws"));
        for (String name : names) {
            assertThat(name).matches(RelayNames.PATTERN);
        }

        // A tree whose root is relay 0: the two relays link through the broker as well.
        String tag = TopicTag.of("tunnel-" + UUID.randomUUID());
        try (PingClient alice = throughBroker(0).subscribe(tag, CELL);
             PingClient bob = throughBroker(1).subscribe(tag, CELL);
             PingClient publisher = throughBroker(1)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String id = UUID.randomUUID().toString().replace("-", "");
                ids.add(id);
                publisher.publish(tag, CELL, id);
            }
            assertThat(bob.awaitAll(ids, Duration.ofSeconds(10))).as("same relay, through the broker").isEmpty();
            assertThat(alice.awaitAll(ids, Duration.ofSeconds(15))).as("other relay, linked through the broker").isEmpty();
            assertThat(alice.duplicates()).isEmpty();
        }
        // The relays' own ports are not what clients used: the broker carried the bytes.
        assertThat(suite.metric(suite.broker, "ats_broker_tunnels")).isEqualTo(2);
        assertThat(suite.metric(suite.broker, "ats_broker_bytes_total")).isGreaterThan(0);
        // Its log names relays, never what passed through them.
        assertThat(suite.broker.output()).contains("Tunnel up for " + names.getFirst()).doesNotContain(tag).doesNotContain("payload")
                .doesNotContain("X-Forwarded-For");
    }

    @Test
    @Order(1)
    void theBrokerForwardsOnlyTheRelaysOwnEndpoints() throws Exception {
        String host = names.getFirst() + "." + Suite.BROKER_DOMAIN + ":" + suite.brokerPublicPort;
        assertThat(raw("GET /v1/directory HTTP/1.1\r\nHost: " + host + "\r\n\r\n")).startsWith("HTTP/1.1 200").contains("\"signature\"");
        for (String path : List.of("/", "/index.html", "/actuator/health", "/actuator/prometheus", "/v1/ws/../actuator/prometheus", "/v1/wsx", "/v3/api-docs")) {
            assertThat(raw("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")).as(path)
                    .startsWith("HTTP/1.1 404").contains("application/problem+json").contains("not-a-relay-endpoint");
        }
        assertThat(raw("POST /v1/directory HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 0\r\n\r\n")).startsWith("HTTP/1.1 404");
        // Host tricks route nowhere.
        assertThat(raw("GET http://" + host + "/v1/directory HTTP/1.1\r\nHost: " + host + "\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("GET /v1/directory HTTP/1.1\r\nHost: " + host + "\r\nHost: " + host + "\r\n\r\n")).startsWith("HTTP/1.1 400");
        for (String trick : List.of(names.getFirst() + "." + Suite.BROKER_DOMAIN + ".evil.example", "x." + host,
                names.getFirst() + ".evil.example", "calm-aqua-harbor." + Suite.BROKER_DOMAIN, "user@" + host, Suite.BROKER_DOMAIN)) {
            assertThat(raw("GET /v1/directory HTTP/1.1\r\nHost: " + trick + "\r\n\r\n")).as(trick).startsWith("HTTP/1.1 404")
                    .contains("unknown-name");
        }
        assertThat(raw("GET /v1/directory HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400");
        // Every request on a kept-alive connection is checked, not only the first.
        String twice = raw("GET /v1/directory HTTP/1.1\r\nHost: " + host + "\r\n\r\nGET /actuator/prometheus HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        assertThat(twice).startsWith("HTTP/1.1 200").contains("HTTP/1.1 404").doesNotContain("jvm_memory");
    }

    @Test
    @Order(1)
    void manyShortConnectionsAllReachTheRelay() throws Exception {
        // Connections opened and closed back to back, 16 at a time, as a crowd of app starts: each
        // opens a stream whose far side is a fresh socket to the relay's port. Each must get its
        // welcome (a socket that closed before connecting once cost about one in a hundred a 502).
        // Raw sockets, to open them as fast as a busy broker sees them.
        String token = suite.relayToken();
        String host = names.getFirst() + "." + Suite.BROKER_DOMAIN + ":" + suite.brokerPublicPort;
        java.util.concurrent.atomic.AtomicInteger welcomed = new java.util.concurrent.atomic.AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 16; w++) {
            workers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 100; i++) {
                    try {
                        String answer = helloOverRawWebSocket(host, token);
                        if (answer.contains("\"type\":\"welcome\"")) {
                            welcomed.incrementAndGet();
                        } else {
                            failures.add(answer.lines().findFirst().orElse("nothing"));
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        for (Thread worker : workers) {
            assertThat(worker.join(Duration.ofSeconds(120))).as("16 x 100 connections within 2 minutes").isTrue();
        }
        assertThat(failures).isEmpty();
        assertThat(welcomed.get()).isEqualTo(1600);
    }

    /** Upgrade, hello, and what came back (the 101's status line, then the first frame's text); then the socket is closed. */
    private static String helloOverRawWebSocket(String host, String token) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), suite.brokerPublicPort)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v1/ws HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return head.isEmpty() ? "closed without an answer" : head.toString();
                }
                head.append((char) b);
            }
            if (!head.toString().startsWith("HTTP/1.1 101")) {
                return head.toString();
            }
            // The hello only after the 101 (RFC 6455 4.1), as a masked text frame (mask 0: the bytes go as they are).
            byte[] hello = ("{\"type\":\"hello\",\"token\":\"" + token + "\",\"protocol\":1}").getBytes(StandardCharsets.UTF_8);
            out.write(new byte[] {(byte) 0x81, (byte) (0x80 | 126), (byte) (hello.length >> 8), (byte) hello.length, 0, 0, 0, 0});
            out.write(hello);
            out.flush();
            int first = in.read();
            int second = in.read();
            if (first < 0 || second < 0) {
                return "closed after the 101";
            }
            int length = second & 0x7f;
            if (length == 126) {
                length = (in.read() << 8) | in.read();
            }
            String welcome = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            // A clean close, as an app leaving: a masked close frame (1000), then the relay's answer.
            out.write(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xe8});
            out.flush();
            in.readNBytes(2);
            return "HTTP/1.1 101\n" + welcome;
        }
    }

    @Test
    @Order(2)
    void tunnelsFromAWrongKeyAnUnclaimedRelayOrForAnothersNameAreRefused() throws Exception {
        KeyPair relayZero = readKey(relays.get(0));
        String idZero = relays.get(0).id;
        KeyPair stranger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String strangerId = run.ats.protocol.relay.RelayId.of(run.ats.protocol.crypto.Ed25519.raw(stranger.getPublic()));

        // Relay 0's id, but the stranger's key.
        assertThat(tunnelHello(suite.brokerPublicPort, (nonce, broker) -> TunnelHandshake.hello(idZero, stranger.getPublic(), stranger.getPrivate(), null, nonce, broker)))
                .startsWith("1008 unauthorized");
        // Relay 0's key, signing for the stranger's id.
        assertThat(tunnelHello(suite.brokerPublicPort, (nonce, broker) -> TunnelHandshake.hello(strangerId, relayZero.getPublic(), relayZero.getPrivate(), null, nonce, broker)))
                .startsWith("1008 unauthorized");
        // A well-proven key that nobody claimed.
        assertThat(tunnelHello(suite.brokerPublicPort, (nonce, broker) -> TunnelHandshake.hello(strangerId, stranger.getPublic(), stranger.getPrivate(), null, nonce, broker)))
                .startsWith("1008 unclaimed");
        // Relay 0 asking for relay 1's name.
        assertThat(tunnelHello(suite.brokerPublicPort, (nonce, broker) -> TunnelHandshake.hello(idZero, relayZero.getPublic(), relayZero.getPrivate(), names.get(1), nonce, broker)))
                .startsWith("1008 not your name");
        assertThat(suite.metric(suite.broker, "ats_broker_handshake_failures_total")).isGreaterThanOrEqualTo(4);
        // None of that disturbed the real tunnels.
        assertThat(suite.metric(suite.broker, "ats_broker_tunnels")).isEqualTo(2);
    }

    @Test
    @Order(2)
    void aRelaysProofForAnotherBrokerIsRefused() throws Exception {
        // A broker the relay dials (here: one that passes the handshake's bytes on, unchanged, to
        // this broker) gets this broker's challenge signed by the relay. The proof names the broker
        // the relay dialed, so this broker refuses it, and the relay's real tunnel stays.
        KeyPair relayZero = readKey(relays.get(0));
        String idZero = relays.get(0).id;
        try (ByteRelay other = new ByteRelay(suite.brokerPublicPort)) {
            assertThat(tunnelHello(other.port(), (nonce, broker) -> TunnelHandshake.hello(idZero, relayZero.getPublic(), relayZero.getPrivate(), null, nonce, broker)))
                    .startsWith("1008 wrong broker: the proof is for ws://127.0.0.1:" + other.port());
            // The same proof with this broker's origin written over the other's: the signature is not for it.
            assertThat(tunnelHello(other.port(), (nonce, broker) -> TunnelHandshake.hello(idZero, relayZero.getPublic(), relayZero.getPrivate(), null, nonce, broker)
                    .replace(broker, "ws://127.0.0.1:" + suite.brokerPublicPort))).startsWith("1008 unauthorized");
        }
        // Every spelling of another origin, one long enough to overflow a close frame's reason, one that would forge a log line.
        for (String elsewhere : List.of("ws://127.0.0.1:1", "wss://127.0.0.1:" + suite.brokerPublicPort, "ws://localhost.:1",
                "ws://" + "\u00e9".repeat(300) + ":1", "ws://x:1\nINFO forged: Tunnel up for calm-aqua-harbor")) {
            assertThat(tunnelHello(suite.brokerPublicPort, (nonce, broker) -> TunnelHandshake.hello(idZero, relayZero.getPublic(), relayZero.getPrivate(),
                    null, nonce, elsewhere))).as(elsewhere).startsWith("1008 wrong broker");
        }
        assertThat(suite.broker.output()).doesNotContain("\nINFO forged");
        assertThat(suite.metric(suite.broker, "ats_broker_tunnels")).isEqualTo(2);
        assertThat(suite.metric(suite.broker, "ats_broker_tunnels_replaced_total")).isZero();
    }

    @Test
    @Order(3)
    void anOfflineRelayIsAnsweredAtOnceAndComesBackByItself() throws Exception {
        Suite.Relay relay = relays.get(1);
        String host = names.get(1) + "." + Suite.BROKER_DOMAIN + ":" + suite.brokerPublicPort;
        suite.kill(relay);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String answer = "";
        while (System.nanoTime() < deadline && !answer.startsWith("HTTP/1.1 503")) {
            answer = raw("GET /v1/directory HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            Thread.sleep(100);
        }
        assertThat(answer).startsWith("HTTP/1.1 503").contains("relay-offline").containsIgnoringCase("Retry-After: 5");
        suite.start(relay);
        suite.awaitTunnel(relay);
        assertThat(raw("GET /v1/directory HTTP/1.1\r\nHost: " + host + "\r\n\r\n")).startsWith("HTTP/1.1 200");
    }

    @Test
    @Order(4)
    void relaysReconnectByThemselvesAfterTheBrokerRestarts() throws Exception {
        suite.kill(suite.broker);
        ServiceProcess again = suite.restartBroker();
        for (Suite.Relay relay : relays) {
            suite.awaitTunnel(relay);
        }
        String tag = TopicTag.of("tunnel-again-" + UUID.randomUUID());
        try (PingClient alice = throughBroker(0).subscribe(tag, CELL);
             PingClient publisher = throughBroker(1)) {
            String id = UUID.randomUUID().toString().replace("-", "");
            publisher.publish(tag, CELL, id);
            assertThat(alice.awaitAll(List.of(id), Duration.ofSeconds(10))).isEmpty();
        }
        assertThat(again.output()).contains("Tunnel up for " + names.get(0));
    }

    private static PingClient throughBroker(int relay) throws Exception {
        return new PingClient("ws://127.0.0.1:" + suite.brokerPublicPort + "/v1/ws",
                names.get(relay) + "." + Suite.BROKER_DOMAIN + ":" + suite.brokerPublicPort, suite.relayToken());
    }

    /** Sends raw bytes to the broker's public port; answers what comes back until it closes (5 s at most). */
    private static String raw(String request) throws Exception {
        return raw(suite.brokerPublicPort, request);
    }

    /** Sends {@code request} as written to the broker's public port; what came back within 5 s (or until it closed). */
    static String raw(int port, String request) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            byte[] buffer = new byte[8192];
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            try {
                for (int n; System.nanoTime() < deadline && (n = in.read(buffer)) > 0; ) {
                    answer.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                }
            } catch (java.net.SocketTimeoutException kept) {
                // a kept-alive connection: what came is the answer
            }
            return answer.toString();
        }
    }

    /**
     * Dials a broker's tunnel endpoint on {@code port} as a relay would, answers its challenge with
     * {@code hello} (given the nonce and the origin dialed); the close frame's code and reason.
     */
    static String tunnelHello(int port, java.util.function.BiFunction<String, String, String> hello) throws Exception {
        URI dialed = URI.create("ws://127.0.0.1:" + port + "/v1/tunnel");
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        CompletableFuture<String> closed = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(dialed, new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        frames.add(data.toString());
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                        closed.complete(code + " " + reason);
                        return null;
                    }
                }).join();
        String challenge = frames.poll(5, TimeUnit.SECONDS);
        assertThat(challenge).contains("tunnel-challenge");
        socket.sendText(hello.apply(TunnelHandshake.parseChallenge(challenge), TunnelHandshake.brokerOrigin(dialed)), true).join();
        return closed.get(10, TimeUnit.SECONDS);
    }

    /**
     * Another broker's address on loopback that passes every byte on to {@code target} and back, as a
     * broker would that hands a relay's handshake messages on to another broker.
     */
    static final class ByteRelay implements AutoCloseable {

        private final java.net.ServerSocket server = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());

        ByteRelay(int target) throws java.io.IOException {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Socket in = server.accept();
                        Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
                        sockets.add(in);
                        sockets.add(out);
                        Thread.ofVirtual().start(() -> pump(in, out));
                        Thread.ofVirtual().start(() -> pump(out, in));
                    }
                } catch (java.io.IOException closed) {
                    // the relay is closed: stop accepting
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        private static void pump(Socket from, Socket to) {
            try {
                from.getInputStream().transferTo(to.getOutputStream());
                to.shutdownOutput();
            } catch (java.io.IOException ended) {
                // either side closed: the other ends with it
            }
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
            for (Socket socket : List.copyOf(sockets)) {
                socket.close();
            }
        }
    }

    private static KeyPair readKey(Suite.Relay relay) throws Exception {
        List<String> lines = Files.readAllLines(relay.keyFile, StandardCharsets.US_ASCII);
        KeyFactory factory = KeyFactory.getInstance("Ed25519");
        PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(lines.get(0).strip())));
        PublicKey publicKey = factory.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(lines.get(1).strip())));
        return new KeyPair(publicKey, privateKey);
    }
}
