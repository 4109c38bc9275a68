package run.ats.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import run.ats.testkit.ServiceProcess;
import run.ats.testkit.Suite;
import run.ats.tunnel.TunnelHandshake;

import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker learns of claims from the directory's stream, not by reading the whole directory
 * over and over: with the backstop read set to once an hour (it runs once, at start, before any
 * claim), a claimed relay is still served at once, and again after the directory restarts and
 * the stream has to be followed anew.
 */
class BrokerFollowsDirectoryTest {

    private static Suite suite;

    @BeforeAll
    static void startSuite() throws Exception {
        suite = Suite.withBrokerSettings(List.of("--ats.broker.directory-poll=1h"));
    }

    @AfterAll
    static void stopSuite() throws Exception {
        suite.close();
    }

    /**
     * A broker that has not read the directory yet (just started, the directory unreachable) knows
     * no name, so it must not say one is unknown: clients get 503 with Retry-After, not 404, and a
     * relay dialing in is told why it is refused rather than that it is unclaimed (its relay will dial again).
     */
    @Test
    void aBrokerThatHasNotReadTheDirectoryAnswers503NotUnknown() throws Exception {
        int publicPort = ServiceProcess.freePort();
        ServiceProcess blind = suite.startAnotherBroker("broker-blind", ServiceProcess.freePort(), publicPort,
                List.of("--ats.broker.directory-url=http://127.0.0.1:" + ServiceProcess.freePort()));
        try {
            String answer = TunnelTest.raw(publicPort, "GET /v1/ws HTTP/1.1\r\nHost: any-name-at-all." + Suite.BROKER_DOMAIN + "\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 503").contains("retry-after: 5").contains("application/problem+json")
                    .contains("directory-not-loaded").doesNotContain("unknown-name");
            KeyPair relay = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            String relayId = run.ats.protocol.relay.RelayId.of(run.ats.protocol.crypto.Ed25519.raw(relay.getPublic()));
            assertThat(TunnelTest.tunnelHello(publicPort, (nonce, broker) -> TunnelHandshake.hello(relayId, relay.getPublic(), relay.getPrivate(), null, nonce, broker)))
                    .isEqualTo("1008 the broker has not read the directory yet; try again shortly");
        } finally {
            blind.close();
        }
    }

    @Test
    void claimsReachTheBrokerThroughTheStreamAcrossADirectoryRestart() throws Exception {
        Suite.Relay first = startAndClaim("relay-first");
        long claimedAt = System.nanoTime();
        String firstName = suite.awaitTunnel(first);
        assertThat(Duration.ofNanos(System.nanoTime() - claimedAt)).as("claim to a served name").isLessThan(Duration.ofSeconds(10));

        suite.kill(suite.directory);
        ServiceProcess again = suite.restartDirectory();
        Suite.Relay second = startAndClaim("relay-second");
        claimedAt = System.nanoTime();
        String secondName = suite.awaitTunnel(second);
        assertThat(Duration.ofNanos(System.nanoTime() - claimedAt)).as("claim to a served name, after the restart")
                .isLessThan(Duration.ofSeconds(30));
        assertThat(secondName).isNotEqualTo(firstName);

        double newest = Suite.json(suite.get(again, "/v1/directory", null).body()).get("version").asDouble();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (suite.metric(suite.broker, "ats_broker_directory_version") < newest && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(suite.metric(suite.broker, "ats_broker_directory_version")).as("the broker holds the directory's newest version")
                .isGreaterThanOrEqualTo(newest);
        assertThat(suite.broker.output()).doesNotContain("Refused a directory version");
    }

    private static Suite.Relay startAndClaim(String name) throws Exception {
        Suite.Relay relay = new Suite.Relay(name, ServiceProcess.freePort(), Files.createTempDirectory("e2e-relay").resolve("relay.key"));
        suite.start(relay);
        suite.relays.add(relay);
        suite.claim(relay);
        return relay;
    }
}
