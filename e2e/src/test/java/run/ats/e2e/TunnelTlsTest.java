package run.ats.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import run.ats.protocol.topic.TopicTag;
import run.ats.testkit.PingClient;
import run.ats.testkit.ServiceProcess;
import run.ats.testkit.Suite;
import tools.jackson.databind.JsonNode;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker ending TLS itself with a wildcard certificate from PEM files: relays dial
 * {@code wss://.../v1/tunnel} and link to each other over {@code wss://name.relays.localhost},
 * and clients reach a relay by name over TLS (SNI names the relay). The certificate is made
 * here with openssl, for {@code *.relays.localhost} and 127.0.0.1.
 */
class TunnelTlsTest {

    private static final String PASSWORD = "changeit";
    private static Suite suite;
    private static List<String> names;
    private static SSLContext trust;
    private static final String REPLICA_TOKEN = "tls-replicas-share-this-token-0123456789";
    private static int replicaPublicPort;

    @BeforeAll
    static void startSuite() throws Exception {
        Path dir = Files.createTempDirectory("broker-tls");
        run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=relays.localhost",
                "-addext", "subjectAltName=DNS:*.relays.localhost,DNS:relays.localhost,IP:127.0.0.1");
        run(dir, Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt",
                "-alias", "broker", "-file", "cert.pem", "-keystore", "trust.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("trust.p12"))) {
            store.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        trust = SSLContext.getInstance("TLS");
        trust.init(null, factory.getTrustManagers(), null);

        int replicaApiPort = ServiceProcess.freePort();
        replicaPublicPort = ServiceProcess.freePort();
        suite = Suite.withBroker(new Suite.BrokerTls(dir.resolve("cert.pem"), dir.resolve("key.pem"), dir.resolve("trust.p12"), PASSWORD),
                List.of("--ats.broker.peers.token=" + REPLICA_TOKEN, "--ats.broker.peers.urls=http://127.0.0.1:" + replicaApiPort));
        // A second replica holding no tunnel: it hands connections over to the first, over TLS.
        suite.startAnotherBroker("broker-tls-replica", replicaApiPort, replicaPublicPort, List.of(
                "--ats.broker.peers.token=" + REPLICA_TOKEN, "--ats.broker.peers.urls=" + suite.broker.url()));
        List<Suite.Relay> relays = suite.claimedRelays(2);
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
    void relaysTunnelAndLinkOverTlsAndClientsReachThemByName() throws Exception {
        for (String name : names) {
            JsonNode info = Suite.json(suite.get(suite.broker, "/v1/names/" + name, null).body());
            assertThat(info.get("publicUrl").asString()).isEqualTo("wss://" + name + ".relays.localhost:" + suite.brokerPublicPort + "/v1/ws");
        }
        String tag = TopicTag.of("tls-" + UUID.randomUUID());
        try (PingClient alice = client(0).subscribe(tag, "u4pr");
             PingClient publisher = client(1)) {
            String id = UUID.randomUUID().toString().replace("-", "");
            publisher.publish(tag, "u4pr", id);
            assertThat(alice.awaitAll(List.of(id), Duration.ofSeconds(15))).as("across relays linked over wss through the broker").isEmpty();
        }

        // SNI names the relay; the broker answers with the wildcard certificate. The replica without
        // the tunnel answers the same, having handed the connection to the first over TLS.
        String host = names.getFirst() + ".relays.localhost";
        for (int port : List.of(suite.brokerPublicPort, replicaPublicPort)) {
            try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(host)));
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(parameters);
                socket.setSoTimeout(5000);
                socket.getOutputStream().write(("GET /v1/directory HTTP/1.1\r\nHost: " + host + ":" + port
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(answer).as("through the broker on " + port).startsWith("HTTP/1.1 200").contains("\"signature\"");
            }
        }
        // Plain HTTP on the TLS port gets no answer from a relay.
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), suite.brokerPublicPort)) {
            plain.setSoTimeout(5000);
            plain.getOutputStream().write(("GET /v1/directory HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] answer = new byte[64];
            int read;
            try {
                read = plain.getInputStream().read(answer);
            } catch (java.io.IOException closed) {
                read = -1;
            }
            assertThat(read <= 0 || !new String(answer, 0, read, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200")).isTrue();
        }
    }

    private static PingClient client(int relay) throws Exception {
        return new PingClient("wss://127.0.0.1:" + suite.brokerPublicPort + "/v1/ws",
                names.get(relay) + ".relays.localhost:" + suite.brokerPublicPort, suite.relayToken(), trust);
    }

    private static void run(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }
}
