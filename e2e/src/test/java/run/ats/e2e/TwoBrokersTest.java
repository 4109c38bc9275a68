package run.ats.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import run.ats.protocol.topic.TopicTag;
import run.ats.testkit.PingClient;
import run.ats.testkit.ServiceProcess;
import run.ats.testkit.Suite;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A relay holding tunnels to two brokers at once is served by both, and stays reachable
 * through the second when the first goes away.
 */
class TwoBrokersTest {

    private static Suite suite;
    private static ServiceProcess second;
    private static int secondPort;

    @BeforeAll
    static void startSuite() throws Exception {
        suite = Suite.withBroker();
        secondPort = ServiceProcess.freePort();
        second = suite.startAnotherBroker("broker-two", secondPort);
        suite.relaySettings.add("--ats.relay.broker-urls=ws://127.0.0.1:" + suite.brokerPublicPort + "/v1/tunnel,ws://127.0.0.1:"
                + secondPort + "/v1/tunnel");
    }

    @AfterAll
    static void stopSuite() throws Exception {
        suite.close();
    }

    @Test
    void bothBrokersServeTheRelayAndTheSecondCarriesOnAlone() throws Exception {
        List<Suite.Relay> relays = suite.claimedRelays(1);
        String name = suite.awaitTunnel(relays.getFirst());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && !Suite.json(suite.get(second, "/v1/names/" + name, null).body()).get("online").asBoolean()) {
            Thread.sleep(100);
        }
        assertThat(Suite.json(suite.get(second, "/v1/names/" + name, null).body()).get("online").asBoolean()).isTrue();
        assertThat(suite.metric(relays.getFirst(), "ats_relay_tunnels")).isEqualTo(2);

        pingThrough(suite.brokerPublicPort, name);
        pingThrough(secondPort, name);
        suite.kill(suite.broker);
        pingThrough(secondPort, name);
    }

    private static void pingThrough(int port, String name) throws Exception {
        String host = name + "." + Suite.BROKER_DOMAIN + ":" + port;
        String tag = TopicTag.of("two-" + UUID.randomUUID());
        try (PingClient subscriber = new PingClient("ws://127.0.0.1:" + port + "/v1/ws", host, suite.relayToken()).subscribe(tag, "u4pr");
             PingClient publisher = new PingClient("ws://127.0.0.1:" + port + "/v1/ws", host, suite.relayToken())) {
            String id = UUID.randomUUID().toString().replace("-", "");
            publisher.publish(tag, "u4pr", id);
            assertThat(subscriber.awaitAll(List.of(id), Duration.ofSeconds(10))).as("through the broker on " + port).isEmpty();
        }
    }
}
