package run.ats.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import run.ats.protocol.topic.TopicTag;
import run.ats.testkit.PingClient;
import run.ats.testkit.Suite;
import run.ats.testkit.push.PushServiceStandIn;
import run.ats.testkit.push.VapidKeys;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A device registers for push on one relay and goes to sleep; a ping published on another relay
 * reaches the first through the tree (the registration keeps it a member) and wakes the device
 * through the stand-in push service. Real relay jars, real directory, real tree.
 */
class PushAcrossRelaysTest {

    private static final String CELL = "dqcj";
    private static Suite suite;
    private static PushServiceStandIn push;

    @BeforeAll
    static void start() throws Exception {
        push = new PushServiceStandIn();
        suite = new Suite();
        suite.relaySettings.addAll(List.of("--ats.relay.push.allowed-hosts=127.0.0.1", "--ats.relay.push.allow-http=true"));
        suite.claimedRelays(2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (suite != null) {
            suite.close();
        }
        if (push != null) {
            push.close();
        }
    }

    @Test
    void aPingOnAnotherRelayWakesASleepingDevice() throws Exception {
        String tag = TopicTag.of("push-" + UUID.randomUUID());
        Suite.Relay home = suite.relays.get(0);
        Suite.Relay elsewhere = suite.relays.get(1);
        VapidKeys vapid = new VapidKeys();
        String endpoint = push.endpoint("device-1");
        try (PingClient device = new PingClient(home.ws(), suite.relayToken())) {
            device.send("{\"type\":\"push.register\",\"endpoint\":\"" + endpoint + "\",\"vapidKey\":\"" + vapid.publicKey()
                    + "\",\"jwts\":[\"" + vapid.jwt(push.origin(), 3600) + "\"],\"channels\":[{\"topic\":\"" + tag + "\",\"cell\":\"" + CELL + "\"}]}");
            device.expect("\"type\":\"push.registered\"");
        }
        Thread.sleep(1500); // the home relay joins the tree for the registered channel
        try (PingClient publisher = new PingClient(elsewhere.ws(), suite.relayToken())) {
            publisher.publish(tag, CELL, "ping-across-relays-1");
            publisher.expect("\"type\":\"ack\"");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (push.received("device-1").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(push.received("device-1")).hasSize(1);
        assertThat(push.received("device-1").getFirst().refusal()).isNull();
        assertThat(suite.metric(home, "ats_relay_push_sent_total")).isEqualTo(1.0);
        assertThat(suite.metric(elsewhere, "ats_relay_push_sent_total")).isZero();
    }
}
