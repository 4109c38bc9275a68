package run.ats.relay.push;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import run.ats.protocol.topic.TopicTag;
import run.ats.relay.testsupport.TokenMint;
import run.ats.relay.testsupport.WsClient;
import run.ats.testkit.push.PushServiceStandIn;
import run.ats.testkit.push.VapidKeys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worst case of push amplification, measured at the push service: one publish to R sleeping
 * devices whose push service answers 503 to everything. The stand-in counts what reached it: at
 * most {@code max-attempts} requests per registration, and never more than the configured rate to
 * that push service in any one-second window. A {@code Retry-After} is honoured up to
 * {@code max-retry-wait}; one asking for longer gets no retry at all.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.relay.main-url=http://127.0.0.1:9",
        "ats.relay.enroll=false",
        "ats.relay.push.allowed-hosts=127.0.0.1",
        "ats.relay.push.allow-http=true",
        "ats.relay.push.max-per-address=1000",
        "ats.relay.push.max-attempts=" + PushAmplificationTest.MAX_ATTEMPTS,
        "ats.relay.push.retry-backoff=50ms",
        "ats.relay.push.max-retry-wait=2s",
        "ats.relay.push.sends-per-second-per-host=" + PushAmplificationTest.PER_SECOND,
        "ats.relay.push.max-send-wait=60s"})
class PushAmplificationTest {

    static final int MAX_ATTEMPTS = 3;
    static final int PER_SECOND = 20;
    private static final int REGISTRATIONS = 40;
    private static final TokenMint MINT = new TokenMint("main-key-1");
    private static final String CELL = "dqcj";
    private static PushServiceStandIn push;
    private final String tag = TopicTag.of("amplify-" + UUID.randomUUID());
    private final VapidKeys vapid = new VapidKeys();
    private final List<WsClient> clients = new ArrayList<>();

    @LocalServerPort
    int port;
    @Autowired
    PushRegistry registry;
    @Autowired
    MeterRegistry meters;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory("relay-push-amplification-test");
        registry.add("ats.relay.jwks-file", () -> MINT.writeJwks(dir).toString());
        registry.add("ats.relay.key-file", () -> dir.resolve("relay.key").toString());
    }

    @BeforeAll
    static void startPushService() throws IOException {
        push = new PushServiceStandIn();
    }

    @AfterAll
    static void stopPushService() {
        push.close();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(WsClient::close);
    }

    private WsClient signedIn() {
        WsClient client = new WsClient(port);
        clients.add(client);
        client.send("{\"type\":\"hello\",\"token\":\"" + MINT.token() + "\",\"protocol\":1}");
        assertThat(client.next()).contains("\"type\":\"welcome\"");
        return client;
    }

    /** A device that registers for the test's channel and goes to sleep. */
    private void sleepingDevice(String subscription) {
        String endpoint = push.endpoint(subscription);
        WsClient device = signedIn();
        device.send("{\"type\":\"push.register\",\"endpoint\":\"" + endpoint + "\",\"vapidKey\":\"" + vapid.publicKey()
                + "\",\"jwts\":[\"" + vapid.jwt(push.origin(), 3600) + "\"],\"channels\":[{\"topic\":\"" + tag + "\",\"cell\":\"" + CELL + "\"}]}");
        assertThat(device.next()).startsWith("{\"type\":\"push.registered\"");
        device.close();
        await(() -> registry.asleep(endpoint), "the device asleep");
    }

    private void publishOnce() {
        WsClient publisher = signedIn();
        publisher.send("{\"type\":\"publish\",\"topic\":\"" + tag + "\",\"cell\":\"" + CELL + "\",\"id\":\"" + UUID.randomUUID().toString().replace("-", "")
                + "\",\"ttl\":60,\"payload\":\"AAAA\"}");
        assertThat(publisher.next()).contains("\"type\":\"ack\"");
    }

    private List<PushServiceStandIn.Received> receivedFor(String prefix) {
        return push.received().stream().filter(r -> r.subscription().startsWith(prefix)).toList();
    }

    @Test
    void onePublishToManyDevicesBehindA503CostsAtMostMaxAttemptsEachAndNeverMoreThanTheRate() throws Exception {
        String prefix = "amplify-" + UUID.randomUUID() + "-";
        for (int i = 0; i < REGISTRATIONS; i++) {
            push.answer(prefix + i, 503, 503, 503, 503, 503, 503, 503, 503);
            sleepingDevice(prefix + i);
        }
        double requestsBefore = counter("ats.relay.push.requests", "service", "127.0.0.1");
        publishOnce();

        // Wait until the relay has given up on every registration (nothing more arrives for 2 s).
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int seen = -1;
        while (seen != receivedFor(prefix).size() && System.nanoTime() < deadline) {
            seen = receivedFor(prefix).size();
            Thread.sleep(2000);
        }
        List<PushServiceStandIn.Received> received = receivedFor(prefix);
        Map<String, Long> perRegistration = received.stream()
                .collect(Collectors.groupingBy(PushServiceStandIn.Received::subscription, Collectors.counting()));
        int busiestSecond = busiestWindow(received, 1000);
        System.out.printf("push amplification: R=%d registrations, 503 to all, max-attempts=%d, %d/s per push service: "
                        + "%d requests reached the push service (%.2f per registration), at most %d in any 1 s%n",
                REGISTRATIONS, MAX_ATTEMPTS, PER_SECOND, received.size(), received.size() / (double) REGISTRATIONS, busiestSecond);

        assertThat(perRegistration).hasSize(REGISTRATIONS);
        assertThat(received).hasSizeLessThanOrEqualTo(REGISTRATIONS * MAX_ATTEMPTS);
        assertThat(perRegistration.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(MAX_ATTEMPTS));
        // One permit every 1/PER_SECOND s: a window of one second holds at most PER_SECOND + 1 of them
        // (both ends); one more for the jitter between the relay sending and the stand-in stamping.
        assertThat(busiestSecond).isLessThanOrEqualTo(PER_SECOND + 2);
        assertThat(counter("ats.relay.push.requests", "service", "127.0.0.1") - requestsBefore).isEqualTo(received.size());
    }

    @Test
    void aRetryAfterIsHonouredUpToTheCapAndALongerOneGetsNoRetry() throws Exception {
        String shortWait = "short-" + UUID.randomUUID();
        push.answer(shortWait, 503);
        push.retryAfter(shortWait, "1");
        String longWait = "long-" + UUID.randomUUID();
        push.answer(longWait, 503);
        push.retryAfter(longWait, "5");
        sleepingDevice(shortWait);
        sleepingDevice(longWait);
        publishOnce();

        await(() -> push.received(shortWait).size() == 2, "the retry after Retry-After: 1");
        List<PushServiceStandIn.Received> retried = push.received(shortWait);
        assertThat(retried.stream().map(PushServiceStandIn.Received::status)).containsExactly(503, 201);
        assertThat(retried.get(1).atMs() - retried.get(0).atMs()).as("waited as asked, not the 50 ms backoff").isGreaterThanOrEqualTo(900);

        Thread.sleep(6500); // past the 5 s the push service asked for: no retry came
        assertThat(push.received(longWait)).hasSize(1);
        assertThat(counter("ats.relay.push.failed", "status", "503")).isGreaterThanOrEqualTo(1);
    }

    /** The most requests stamped within any window of {@code windowMs}. */
    private static int busiestWindow(List<PushServiceStandIn.Received> received, long windowMs) {
        List<Long> times = received.stream().map(PushServiceStandIn.Received::atMs).sorted().toList();
        int busiest = 0;
        for (int start = 0, end = 0; start < times.size(); start++) {
            while (end < times.size() && times.get(end) - times.get(start) < windowMs) {
                end++;
            }
            busiest = Math.max(busiest, end - start);
        }
        return busiest;
    }

    private double counter(String name, String... tags) {
        var counter = meters.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
