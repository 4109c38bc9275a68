package run.ats.testkit.push;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local push service that behaves like a real one toward an application server (RFC 8030,
 * RFC 8292): it checks the VAPID JWT's signature against the {@code k} key, its {@code aud} (this
 * origin) and {@code exp} (at most 24 h ahead), the {@code TTL}, {@code Urgency} and {@code Topic}
 * headers, and answers 201, or what a test told it for a subscription (404, 410, 429, ...).
 * Requests it refuses get 400/401/403 and are recorded with the reason.
 */
public final class PushServiceStandIn implements AutoCloseable {

    /** One request as received: the subscription id, the status answered, why if refused, and when (epoch ms). */
    public record Received(String subscription, int status, String refusal, Map<String, List<String>> headers, byte[] body,
                           long atMs) {
    }

    private static final Pattern VAPID = Pattern.compile("vapid t=([A-Za-z0-9_.-]+), ?k=([A-Za-z0-9_-]+)");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, Queue<Integer>> scripted = new ConcurrentHashMap<>();
    private final Map<String, String> retryAfter = new ConcurrentHashMap<>();

    public PushServiceStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/push/", this::handle);
        server.start();
    }

    public String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A subscription endpoint at this service. */
    public String endpoint(String subscription) {
        return origin() + "/push/" + subscription;
    }

    /** The next answers for {@code subscription}, in order; 201 once they are used up. */
    public void answer(String subscription, Integer... statuses) {
        scripted.computeIfAbsent(subscription, k -> new ArrayDeque<>()).addAll(Arrays.asList(statuses));
    }

    /** The {@code Retry-After} sent with this subscription's 429 and 503 answers (default: "0" with 429, none with 503). */
    public void retryAfter(String subscription, String value) {
        retryAfter.put(subscription, value);
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> received(String subscription) {
        return received.stream().filter(r -> r.subscription().equals(subscription)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String subscription = exchange.getRequestURI().getPath().substring("/push/".length());
            byte[] body = exchange.getRequestBody().readAllBytes();
            String refusal = refusal(exchange, body);
            int status;
            if (refusal != null) {
                status = refusal.startsWith("auth:") ? 401 : 400;
            } else {
                Queue<Integer> next = scripted.get(subscription);
                Integer scriptedStatus = next == null ? null : next.poll();
                status = scriptedStatus == null ? 201 : scriptedStatus;
            }
            received.add(new Received(subscription, status, refusal, Map.copyOf(exchange.getRequestHeaders()), body,
                    System.currentTimeMillis()));
            String wait = retryAfter.getOrDefault(subscription, status == 429 ? "0" : null);
            if (wait != null && (status == 429 || status == 503)) {
                exchange.getResponseHeaders().set("Retry-After", wait);
            }
            exchange.sendResponseHeaders(status, -1);
        }
    }

    private String refusal(HttpExchange exchange, byte[] body) {
        if (!exchange.getRequestMethod().equals("POST")) {
            return "method must be POST";
        }
        String ttl = exchange.getRequestHeaders().getFirst("TTL");
        if (ttl == null || !ttl.matches("\\d{1,9}")) {
            return "TTL header missing or not a number (RFC 8030 5.2)";
        }
        String urgency = exchange.getRequestHeaders().getFirst("Urgency");
        if (urgency != null && !List.of("very-low", "low", "normal", "high").contains(urgency)) {
            return "Urgency not one of very-low, low, normal, high (RFC 8030 5.3)";
        }
        String topic = exchange.getRequestHeaders().getFirst("Topic");
        if (topic != null && !topic.matches("[A-Za-z0-9_-]{1,32}")) {
            return "Topic must be at most 32 base64url characters (RFC 8030 5.4)";
        }
        if (body.length != 0) {
            // RFC 8291: one aes128gcm record, its header carrying the sender's P-256 key.
            if (!"aes128gcm".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                return "a push with content must be Content-Encoding: aes128gcm (RFC 8291 4)";
            }
            int recordSize = body.length < 21 ? 0 : java.nio.ByteBuffer.wrap(body, 16, 4).getInt();
            if (body.length < 16 + 4 + 1 + 65 + 17 || recordSize < 18 || body[20] != 65 || body[21] != 4 || body.length > 4096) {
                return "not an aes128gcm message with a P-256 key id";
            }
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        Matcher vapid = authorization == null ? null : VAPID.matcher(authorization);
        if (vapid == null || !vapid.matches()) {
            return "auth: Authorization must be 'vapid t=..., k=...' (RFC 8292 3)";
        }
        try {
            String[] parts = vapid.group(1).split("\\.");
            Signature verify = Signature.getInstance("SHA256withECDSAinP1363Format");
            verify.initVerify(key(Base64.getUrlDecoder().decode(vapid.group(2))));
            verify.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!verify.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                return "auth: JWT signature does not verify under k";
            }
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            if (!origin().equals(claims.path("aud").asString(null))) {
                return "auth: aud is not this push service's origin";
            }
            long now = System.currentTimeMillis() / 1000;
            long exp = claims.path("exp").asLong(0);
            if (exp <= now || exp > now + 24 * 3600) {
                return "auth: exp must be within 24 hours from now";
            }
        } catch (Exception e) {
            return "auth: unreadable VAPID JWT (" + e.getMessage() + ")";
        }
        return null;
    }

    private static PublicKey key(byte[] point) throws Exception {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec curve = parameters.getParameterSpec(ECParameterSpec.class);
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(
                new BigInteger(1, Arrays.copyOfRange(point, 1, 33)), new BigInteger(1, Arrays.copyOfRange(point, 33, 65))), curve));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
