package run.ats.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import run.ats.testkit.ServiceProcess;
import run.ats.testkit.Suite;

import java.nio.file.Files;
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
