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
import run.ats.testkit.push.PushServiceStandIn;
import run.ats.relay.testsupport.TokenMint;
import run.ats.testkit.push.VapidKeys;
import run.ats.relay.testsupport.WsClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay's Web Push against a stand-in push service that checks what a real one checks:
 * offline registrations are woken, connected ones are not, bursts coalesce, 429 is retried,
 * 410 forgets, endpoints off the allow-list and JWTs that say too much are refused, and nothing
 * stays in memory once the JWTs run out.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.relay.main-url=http://127.0.0.1:9",
        "ats.relay.enroll=false",
        "ats.relay.push.allowed-hosts=127.0.0.1",
        "ats.relay.push.allow-http=true",
        "ats.relay.push.min-interval=3s",
        "ats.relay.push.retry-backoff=100ms"})
class RelayPushTest {

    private static final TokenMint MINT = new TokenMint("main-key-1");
    private static final String CELL = "dqcj";
    private static PushServiceStandIn push;
    private final String tag = TopicTag.of("topic-" + UUID.randomUUID());
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
        Path dir = Files.createTempDirectory("relay-push-test");
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
        assertThat(client.next()).contains("\"type\":\"welcome\"").contains("\"push\"");
        return client;
    }

    private String register(String endpoint, String... jwts) {
        return "{\"type\":\"push.register\",\"endpoint\":\"" + endpoint + "\",\"vapidKey\":\"" + vapid.publicKey() + "\",\"jwts\":[\""
                + String.join("\",\"", jwts) + "\"],\"channels\":[{\"topic\":\"" + tag + "\",\"cell\":\"" + CELL + "\"}]}";
    }

    /** A device that registers and then goes to sleep (its connection closes). */
    private void sleepingDevice(String subscription) {
        WsClient device = signedIn().send(register(push.endpoint(subscription), vapid.jwt(push.origin(), 3600)));
        assertThat(device.next()).startsWith("{\"type\":\"push.registered\",\"channels\":1,");
        device.close();
        await(() -> registry.asleep(push.endpoint(subscription)), "the registration knows its device is asleep");
    }

    private void publish(WsClient publisher) {
        String id = UUID.randomUUID().toString().replace("-", "");
        publisher.send("{\"type\":\"publish\",\"topic\":\"" + tag + "\",\"cell\":\"" + CELL + "\",\"id\":\"" + id + "\",\"ttl\":60,\"payload\":\"AAAA\"}");
        assertThat(publisher.next()).isEqualTo("{\"type\":\"ack\",\"id\":\"" + id + "\"}");
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

    @Test
    void aSleepingDeviceIsWokenWithAValidContentFreePush() {
        String subscription = "offline-" + UUID.randomUUID();
        sleepingDevice(subscription);
        double sentBefore = counter("ats.relay.push.sent");
        publish(signedIn());
        await(() -> push.received(subscription).size() == 1, "one push");
        PushServiceStandIn.Received received = push.received(subscription).getFirst();
        assertThat(received.refusal()).isNull();
        assertThat(received.status()).isEqualTo(201);
        assertThat(received.headers().get("Topic")).containsExactly("ats-wake");
        assertThat(received.headers().get("Urgency")).containsExactly("normal");
        await(() -> counter("ats.relay.push.sent") == sentBefore + 1, "the sent counter");
    }

    @Test
    void aDeviceWithKeysGetsAnEncryptedMarkerOfOneSizeNamingTheTag() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.security.KeyPair ua = generator.generateKeyPair();
        byte[] auth = new byte[16];
        new java.security.SecureRandom().nextBytes(auth);
        String p256dh = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(Aes128Gcm.point((java.security.interfaces.ECPublicKey) ua.getPublic()));
        String subscription = "keys-" + UUID.randomUUID();
        WsClient device = signedIn().send(register(push.endpoint(subscription), vapid.jwt(push.origin(), 3600))
                .replace("}]}", "}],\"keys\":{\"p256dh\":\"" + p256dh + "\",\"auth\":\"" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(auth) + "\"}}"));
        assertThat(device.next()).startsWith("{\"type\":\"push.registered\"");
        device.close();
        await(() -> registry.asleep(push.endpoint(subscription)), "asleep");
        publish(signedIn());
        await(() -> push.received(subscription).size() == 1, "one push");
        PushServiceStandIn.Received received = push.received(subscription).getFirst();
        assertThat(received.refusal()).isNull();
        assertThat(received.headers().get("Content-encoding")).containsExactly("aes128gcm");
        String marker = new String(decrypt(received.body(), ua, auth), java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(marker).hasSize(80);
        assertThat(marker.strip()).isEqualTo("{\"t\":\"" + tag + "\"}");
        assertThat(received.body()).hasSize(16 + 4 + 1 + 65 + 80 + 1 + 16);
    }

    /** What the browser does with a push body (RFC 8291 section 3, receiving side). */
    private static byte[] decrypt(byte[] body, java.security.KeyPair ua, byte[] auth) throws Exception {
        byte[] salt = java.util.Arrays.copyOfRange(body, 0, 16);
        byte[] asPublic = java.util.Arrays.copyOfRange(body, 21, 86);
        javax.crypto.KeyAgreement agreement = javax.crypto.KeyAgreement.getInstance("ECDH");
        agreement.init(ua.getPrivate());
        agreement.doPhase(VapidJwt.publicKey(asPublic), true);
        byte[] uaPublic = Aes128Gcm.point((java.security.interfaces.ECPublicKey) ua.getPublic());
        java.io.ByteArrayOutputStream info = new java.io.ByteArrayOutputStream();
        info.writeBytes("WebPush: info\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        info.writeBytes(uaPublic);
        info.writeBytes(asPublic);
        byte[] ikm = hkdf(auth, agreement.generateSecret(), info.toByteArray(), 32);
        byte[] cek = hkdf(salt, ikm, "Content-Encoding: aes128gcm\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 16);
        byte[] nonce = hkdf(salt, ikm, "Content-Encoding: nonce\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 12);
        javax.crypto.Cipher cipher = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(javax.crypto.Cipher.DECRYPT_MODE, new javax.crypto.spec.SecretKeySpec(cek, "AES"), new javax.crypto.spec.GCMParameterSpec(128, nonce));
        byte[] plain = cipher.doFinal(body, 86, body.length - 86);
        assertThat(plain[plain.length - 1]).as("the last-record delimiter").isEqualTo((byte) 2);
        return java.util.Arrays.copyOf(plain, plain.length - 1);
    }

    private static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(salt, "HmacSHA256"));
        byte[] prk = mac.doFinal(ikm);
        mac.init(new javax.crypto.spec.SecretKeySpec(prk, "HmacSHA256"));
        mac.update(info);
        mac.update((byte) 1);
        return java.util.Arrays.copyOf(mac.doFinal(), length);
    }

    @Test
    void aConnectedDeviceGetsTheEventAndNoPush() throws Exception {
        String subscription = "online-" + UUID.randomUUID();
        WsClient device = signedIn().send(register(push.endpoint(subscription), vapid.jwt(push.origin(), 3600)));
        assertThat(device.next()).startsWith("{\"type\":\"push.registered\"");
        device.send("{\"type\":\"subscribe\",\"topic\":\"" + tag + "\",\"cell\":\"" + CELL + "\"}");
        assertThat(device.next()).contains("subscribed");
        publish(signedIn());
        assertThat(device.next()).contains("\"type\":\"event\"");
        Thread.sleep(1000);
        assertThat(push.received(subscription)).isEmpty();
    }

    @Test
    void aBurstWakesADeviceOnceAndTheRestIsCoalesced() throws Exception {
        String subscription = "burst-" + UUID.randomUUID();
        sleepingDevice(subscription);
        double coalescedBefore = counter("ats.relay.push.coalesced");
        WsClient publisher = signedIn();
        for (int i = 0; i < 8; i++) {
            publish(publisher);
        }
        await(() -> push.received(subscription).size() == 1, "the first push");
        Thread.sleep(1000);
        assertThat(push.received(subscription)).hasSize(1);
        assertThat(counter("ats.relay.push.coalesced") - coalescedBefore).isEqualTo(7);
    }

    @Test
    void a429IsRetriedAndA410ForgetsTheRegistration() throws Exception {
        String busy = "busy-" + UUID.randomUUID();
        push.answer(busy, 429, 503);
        sleepingDevice(busy);
        publish(signedIn());
        await(() -> push.received(busy).size() == 3, "two retries after 429 and 503");
        assertThat(push.received(busy).stream().map(PushServiceStandIn.Received::status)).containsExactly(429, 503, 201);

        String gone = "gone-" + UUID.randomUUID();
        push.answer(gone, 410);
        sleepingDevice(gone);
        int before = registry.size();
        publish(signedIn());
        await(() -> registry.size() == before - 1, "the 410 registration forgotten");
        assertThat(counter("ats.relay.push.failed", "status", "410")).isGreaterThanOrEqualTo(1);
        Thread.sleep(3500); // past the coalescing interval: another event finds no registration
        publish(signedIn());
        Thread.sleep(500);
        assertThat(push.received(gone)).hasSize(1);
    }

    @Test
    void registrationsThatSayTooMuchOrPointAnywhereAreRefused() {
        WsClient device = signedIn();
        String endpoint = push.endpoint("refused");
        VapidKeys other = new VapidKeys();
        long now = System.currentTimeMillis() / 1000;
        List<List<String>> cases = List.of(
                List.of(register("https://evil.example/push/x", vapid.jwt("https://evil.example", 3600)), "allowed push service"),
                List.of(register(endpoint, vapid.jwt("{\"aud\":\"" + push.origin() + "\",\"exp\":" + (now + 3600) + ",\"uid\":\"alice\"}")), "claim 'uid'"),
                List.of(register(endpoint, vapid.jwt("{\"aud\":\"" + push.origin() + "\",\"exp\":" + (now + 3600) + ",\"sub\":\"alice\"}")), "sub"),
                List.of(register(endpoint, vapid.jwt(push.origin(), 25 * 3600)), "24 hours"),
                List.of(register(endpoint, vapid.jwt(push.origin(), -10)), "24 hours"),
                List.of(register(endpoint, vapid.jwt("https://another.example", 3600)), "aud"),
                List.of(register(endpoint, other.jwt(push.origin(), 3600)), "signature"));
        for (List<String> refused : cases) {
            device.send(refused.get(0));
            assertThat(device.next()).as(refused.get(1)).contains("\"type\":\"error\"", "bad_request", refused.get(1));
        }
        assertThat(registry.asleep(endpoint)).isFalse();
        assertThat(registry.holds(endpoint)).isFalse();
    }

    @Test
    void nothingStaysOnceTheJwtsRunOut() {
        String subscription = "short-" + UUID.randomUUID();
        WsClient device = signedIn().send(register(push.endpoint(subscription), vapid.jwt(push.origin(), 2)));
        assertThat(device.next()).startsWith("{\"type\":\"push.registered\"");
        assertThat(registry.holds(push.endpoint(subscription))).isTrue();
        await(() -> !registry.holds(push.endpoint(subscription)), "the registration gone with its last JWT");
        device.send("{\"type\":\"push.unregister\",\"endpoint\":\"" + push.endpoint(subscription) + "\"}");
        assertThat(device.next()).isEqualTo("{\"type\":\"push.unregistered\"}");
    }

    @Test
    void unregisterForgets() {
        String subscription = "unregister-" + UUID.randomUUID();
        WsClient device = signedIn().send(register(push.endpoint(subscription), vapid.jwt(push.origin(), 3600)));
        assertThat(device.next()).startsWith("{\"type\":\"push.registered\"");
        device.send("{\"type\":\"push.unregister\",\"endpoint\":\"" + push.endpoint(subscription) + "\"}");
        assertThat(device.next()).isEqualTo("{\"type\":\"push.unregistered\"}");
        assertThat(registry.holds(push.endpoint(subscription))).isFalse();
    }
}
