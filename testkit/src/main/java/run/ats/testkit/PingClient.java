package run.ats.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PWA's view of a relay over a real WebSocket: hello, subscribe, publish, every event counted
 * by id, and a heartbeat every 30 s as a PWA sends it (relays close silent connections).
 */
public final class PingClient implements AutoCloseable {

    private static final Pattern EVENT_ID = Pattern.compile("\"type\":\"event\".*\"id\":\"([A-Za-z0-9_-]+)\"");
    private final WebSocket socket;
    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    /** How many times each event id arrived: a value above 1 is a duplicate. */
    public final Map<String, AtomicInteger> events = new ConcurrentHashMap<>();
    private final Map<String, Long> firstArrivalNanos = new ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService heartbeats = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("ping-client-heartbeat").factory());

    public PingClient(String url, String token) {
        this(url, null, token);
    }

    /**
     * Connects to {@code url} but names {@code host} in the Host header, as a browser resolving
     * {@code name.relays.localhost} to loopback would (Java's resolver does not; needs
     * {@code -Djdk.httpclient.allowRestrictedHeaders=host}).
     */
    public PingClient(String url, String host, String token) {
        this(url, host, token, null);
    }

    /** The same over {@code wss://}, trusting what {@code tls} trusts. */
    public PingClient(String url, String host, String token, javax.net.ssl.SSLContext tls) {
        this(url, host, token, tls, null, Map.of());
    }

    /**
     * Connects from the local address {@code from} (another loopback address stands for another
     * machine) and sends {@code headers} with the upgrade, as a proxy in front of the broker would.
     */
    public PingClient(String url, String host, String token, java.net.InetAddress from, Map<String, String> headers) {
        this(url, host, token, null, from, headers);
    }

    private PingClient(String url, String host, String token, javax.net.ssl.SSLContext tls, java.net.InetAddress from,
                       Map<String, String> headers) {
        HttpClient.Builder http = HttpClient.newBuilder();
        if (tls != null) {
            http.sslContext(tls);
        }
        if (from != null) {
            http.localAddress(from);
        }
        WebSocket.Builder builder = http.build().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (host != null) {
            builder.header("Host", host);
        }
        headers.forEach(builder::header);
        socket = builder
                .buildAsync(URI.create(url), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            String frame = partial.toString();
                            partial.setLength(0);
                            Matcher event = EVENT_ID.matcher(frame);
                            if (event.find()) {
                                firstArrivalNanos.putIfAbsent(event.group(1), System.nanoTime());
                                events.computeIfAbsent(event.group(1), id -> new AtomicInteger()).incrementAndGet();
                            } else {
                                frames.add(frame);
                            }
                        }
                        ws.request(1);
                        return null;
                    }
                }).join();
        send("{\"type\":\"hello\",\"token\":\"" + token + "\",\"protocol\":1}");
        expect("\"type\":\"welcome\"");
        heartbeats.scheduleAtFixedRate(() -> send("{\"type\":\"heartbeat\"}"), 30, 30, TimeUnit.SECONDS);
    }

    public PingClient subscribe(String tag, String cell) {
        send("{\"type\":\"subscribe\",\"topic\":\"" + tag + "\",\"cell\":\"" + cell + "\"}");
        expect("\"type\":\"subscribed\"");
        return this;
    }

    public void publish(String tag, String cell, String id) {
        send("{\"type\":\"publish\",\"topic\":\"" + tag + "\",\"cell\":\"" + cell + "\",\"id\":\"" + id
                + "\",\"ttl\":120,\"payload\":\"AAECAwQFBgcICQoL\"}");
    }

    /** Waits (bounded) until every id arrived; answers the ids still missing. */
    public java.util.Set<String> awaitAll(java.util.Collection<String> ids, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline && !events.keySet().containsAll(ids)) {
            Thread.sleep(50);
        }
        java.util.Set<String> missing = new java.util.TreeSet<>(ids);
        missing.removeAll(events.keySet());
        return missing;
    }

    /** When the event first arrived ({@link System#nanoTime()}), or 0. */
    public long arrivalNanos(String id) {
        return firstArrivalNanos.getOrDefault(id, 0L);
    }

    /** Ids that arrived more than once. */
    public java.util.Set<String> duplicates() {
        java.util.Set<String> twice = new java.util.TreeSet<>();
        events.forEach((id, count) -> {
            if (count.get() > 1) {
                twice.add(id);
            }
        });
        return twice;
    }

    /** One send at a time: the JDK client refuses a send while another is pending. */
    public synchronized void send(String text) {
        socket.sendText(text, true).join();
    }

    /** Waits (10 s at most) for a frame containing {@code fragment}, skipping others. */
    public void expect(String fragment) {
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                String frame = frames.poll(100, TimeUnit.MILLISECONDS);
                if (frame != null && frame.contains(fragment)) {
                    return;
                }
            }
            throw new AssertionError("no frame with " + fragment + " within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        heartbeats.shutdownNow();
        socket.abort();
    }
}
