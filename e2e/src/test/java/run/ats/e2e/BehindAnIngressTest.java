package run.ats.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import run.ats.testkit.PingClient;
import run.ats.testkit.Suite;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker behind an ingress controller (the Helm chart's way): 127.0.0.1 plays the trusted
 * proxy ({@code ats.broker.trusted-proxies}), 127.0.0.2 someone else. The relay's per-address
 * limit must see each client's own address, not the proxy's, and nobody else may choose theirs,
 * not even a loopback client that reaches the relay's own port (only the relay's tunnel streams
 * carry a forwarded address it believes).
 */
class BehindAnIngressTest {

    private static final int PER_IP = 2;
    private static Suite suite;
    private static String host;
    private static int relayPort;

    @BeforeAll
    static void start() throws Exception {
        suite = Suite.withBrokerSettings(List.of("--ats.broker.trusted-proxies=127.0.0.1/32",
                "--ats.broker.max-connections-per-address=0"));
        suite.relaySettings.add("--ats.relay.connections-per-ip=" + PER_IP);
        Suite.Relay relay = suite.claimedRelays(1).getFirst();
        relayPort = relay.port;
        host = suite.awaitTunnel(relay) + "." + Suite.BROKER_DOMAIN + ":" + suite.brokerPublicPort;
    }

    @AfterAll
    static void stop() throws Exception {
        suite.close();
    }

    @Test
    void theRelayCountsEachClientTheProxySpeaksFor() throws Exception {
        InetAddress proxy = InetAddress.getByName("127.0.0.1");
        List<PingClient> open = new ArrayList<>();
        try {
            // Two from 198.51.100.7, one of them having sent a made-up address of its own (the
            // proxy appends the real one, the rightmost, which is what counts).
            open.add(client(proxy, "198.51.100.7"));
            open.add(client(proxy, "203.0.113.9, 198.51.100.7"));
            assertThat(refused(proxy, "198.51.100.7")).as("a third from the same client").isTrue();
            // Someone else behind the same proxy is not held back by that client.
            open.add(client(proxy, "198.51.100.8"));
        } finally {
            open.forEach(PingClient::close);
        }
    }

    @Test
    void anyoneElsesForwardedForIsIgnored() throws Exception {
        InetAddress stranger = InetAddress.getByName("127.0.0.2");
        List<PingClient> open = new ArrayList<>();
        try {
            open.add(client(stranger, "198.51.100.21"));
            open.add(client(stranger, "198.51.100.22"));
            assertThat(refused(stranger, "198.51.100.23")).as("counted as 127.0.0.2 whatever it claims").isTrue();
        } finally {
            open.forEach(PingClient::close);
        }
    }

    @Test
    void aClientAtTheRelaysOwnPortCannotChooseItsAddress() throws Exception {
        // Loopback, on a relay with its tunnel up: still not a tunnel stream, so its header is not believed.
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        List<PingClient> open = new ArrayList<>();
        try {
            open.add(direct(loopback, "198.51.100.31"));
            open.add(direct(loopback, "198.51.100.32"));
            boolean refused;
            try (PingClient ignored = direct(loopback, "198.51.100.33")) {
                refused = false;
            } catch (RuntimeException | AssertionError expected) {
                refused = true;
            }
            assertThat(refused).as("counted as 127.0.0.1 whatever it claims").isTrue();
        } finally {
            open.forEach(PingClient::close);
        }
    }

    private static PingClient direct(InetAddress from, String forwardedFor) throws Exception {
        return new PingClient("ws://127.0.0.1:" + relayPort + "/v1/ws", "127.0.0.1:" + relayPort, suite.relayToken(), from,
                Map.of("X-Forwarded-For", forwardedFor));
    }

    @Test
    void eachAnswerToTheProxyEndsItsConnection() throws Exception {
        // A proxy reuses connections for other clients and names; one connection serves one relay here.
        try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), suite.brokerPublicPort)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v1/directory HTTP/1.1\r\nHost: " + host + "\r\nX-Forwarded-For: 198.51.100.7\r\n"
                    + "X-Forwarded-Proto: https\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = readToEnd(socket.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close").contains("\"signature\"");
        }
        // Anyone else keeps a kept-alive connection.
        try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), suite.brokerPublicPort, InetAddress.getByName("127.0.0.2"), 0)) {
            socket.setSoTimeout(3_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v1/directory HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] buffer = new byte[4096];
            int read = socket.getInputStream().read(buffer);
            String head = new String(buffer, 0, Math.max(read, 0), StandardCharsets.US_ASCII);
            assertThat(head).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");
        }
    }

    private static PingClient client(InetAddress from, String forwardedFor) throws Exception {
        return new PingClient("ws://127.0.0.1:" + suite.brokerPublicPort + "/v1/ws", host, suite.relayToken(), from,
                Map.of("X-Forwarded-For", forwardedFor));
    }

    /** True when the relay refuses the connection (it closes at once with 1008) instead of welcoming it. */
    private static boolean refused(InetAddress from, String forwardedFor) throws Exception {
        try (PingClient ignored = client(from, forwardedFor)) {
            return false;
        } catch (RuntimeException | AssertionError expected) {
            return true;
        }
    }

    private static String readToEnd(InputStream in) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        for (int n; (n = in.read(buffer)) != -1 && all.size() < 65_536; ) {
            all.write(buffer, 0, n);
        }
        return all.toString(StandardCharsets.US_ASCII);
    }
}
