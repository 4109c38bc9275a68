package run.ats.relay.push;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import run.ats.protocol.wire.ClientMessage;
import run.ats.protocol.wire.ServerMessage;
import run.ats.relay.channel.ChannelKey;
import run.ats.relay.channel.Channels;
import run.ats.relay.channel.Subscriber;

import java.net.URI;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Push registrations, in memory only and only while one of their JWTs is valid. A registration
 * belongs to the connection that made it; while that connection is open the device is awake and
 * gets no push. Each registration subscribes to its channels like a client, so this relay stays
 * in their trees after the device went to sleep and still hears of new events. When an event
 * arrives on a registered (tag, cell) for a device without a live connection, it is woken, at most once per {@code min-interval} (later events are coalesced),
 * retried on 429 and 5xx, and forgotten on 404 or 410.
 */
@Component
public final class PushRegistry {

    /** Why a registration was refused: answered to the client as a bad request. */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(PushRegistry.class);
    private static final long RESERVE_SECONDS = 60;
    /** Tags are at most 64 characters: {"t":"..."} fits in 80. */
    private static final int MARKER_SIZE = 80;

    private final class Registration {
        final URI endpoint;
        final String vapidKey;
        /** exp (epoch s) to JWT; the one used is the earliest with a minute left. */
        final TreeMap<Long, String> jwts;
        /** The subscription's p256dh point and auth secret, or null for content-free pushes. */
        final byte[] uaPublic;
        final byte[] authSecret;
        /** What it subscribed to each channel with: its wake for that channel. */
        final Map<ChannelKey, Subscriber> listening = new ConcurrentHashMap<>();
        volatile Object owner;
        long lastWakeMs = Long.MIN_VALUE / 2;

        Registration(URI endpoint, String vapidKey, TreeMap<Long, String> jwts,
                     ClientMessage.PushKeys keys, Object owner) {
            this.uaPublic = keys == null ? null : Base64.getUrlDecoder().decode(keys.p256dh());
            this.authSecret = keys == null ? null : Base64.getUrlDecoder().decode(keys.auth());
            this.endpoint = endpoint;
            this.vapidKey = vapidKey;
            this.jwts = jwts;
            this.owner = owner;
        }
    }

    private final PushSettings settings;
    private final WebPushSender sender;
    private final Clock clock;
    private final Map<String, Registration> byEndpoint = new ConcurrentHashMap<>();
    private final Counter sent;
    private final Counter coalesced;
    private final MeterRegistry meters;

    private final Channels channels;

    PushRegistry(PushSettings settings, WebPushSender sender, Channels channels, Clock clock, MeterRegistry meters) {
        this.channels = channels;
        this.settings = settings;
        this.sender = sender;
        this.clock = clock;
        this.meters = meters;
        this.sent = meters.counter("ats.relay.push.sent");
        this.coalesced = meters.counter("ats.relay.push.coalesced");
        meters.gauge("ats.relay.push.registrations", byEndpoint, Map::size);
    }

    /** Checks and keeps a registration for {@code owner} (a connection), replacing one for the same endpoint. */
    public ServerMessage.PushRegistered register(Object owner, ClientMessage.PushRegister request) throws Refused {
        URI endpoint = URI.create(request.endpoint());
        if (!("https".equals(endpoint.getScheme()) || settings.allowHttp() && "http".equals(endpoint.getScheme()))) {
            throw new Refused("endpoint must be https");
        }
        if (!settings.allows(endpoint.getHost())) {
            throw new Refused("endpoint is not at an allowed push service");
        }
        String audience = endpoint.getScheme() + "://" + endpoint.getRawAuthority();
        PublicKey key = VapidJwt.publicKey(Base64.getUrlDecoder().decode(request.vapidKey()));
        long now = clock.millis() / 1000;
        TreeMap<Long, String> jwts = new TreeMap<>();
        for (String jwt : request.jwts()) {
            try {
                jwts.put(VapidJwt.check(jwt, key, audience, now), jwt);
            } catch (IllegalArgumentException e) {
                throw new Refused("a VAPID JWT was refused: " + e.getMessage());
            }
        }
        if (!byEndpoint.containsKey(request.endpoint()) && byEndpoint.size() >= settings.maxRegistrations()) {
            throw new Refused("this relay holds as many push registrations as it may; try another relay");
        }
        Set<ChannelKey> channels = request.channels().stream().map(c -> new ChannelKey(c.topic(), c.cell())).collect(Collectors.toUnmodifiableSet());
        Registration registration = new Registration(endpoint, request.vapidKey(), jwts, request.keys(), owner);
        Registration previous = byEndpoint.put(request.endpoint(), registration);
        if (previous != null) {
            registration.lastWakeMs = previous.lastWakeMs;
            unindex(previous);
        }
        for (ChannelKey channel : channels) {
            Subscriber wake = frame -> {
                if (registration.owner == null) {
                    wake(registration, channel);
                }
            };
            registration.listening.put(channel, wake);
            this.channels.subscribe(channel, wake); // replayed events are old news: no wake for them
        }
        return new ServerMessage.PushRegistered(channels.size(), jwts.lastKey() * 1000);
    }

    /** Forgets the registration of {@code endpoint}, if there is one. */
    public void unregister(String endpoint) {
        Registration gone = byEndpoint.remove(endpoint);
        if (gone != null) {
            unindex(gone);
        }
    }

    /** The owner's connection closed: the devices it registered ({@code endpoints}) are asleep from now on. */
    public void ownerClosed(Object owner, Set<String> endpoints) {
        for (String endpoint : endpoints) {
            Registration registration = byEndpoint.get(endpoint);
            if (registration != null && registration.owner == owner) {
                registration.owner = null;
            }
        }
    }

    /**
     * The marker a device with keys gets: the tag that woke it, padded so every marker has one
     * size, encrypted to the device (RFC 8291). The push service learns nothing from it.
     */
    private static byte[] marker(Registration registration, ChannelKey key) {
        if (registration.uaPublic == null) {
            return new byte[0];
        }
        String json = "{\"t\":\"" + key.topic() + "\"}";
        byte[] padded = (json + " ".repeat(Math.max(0, MARKER_SIZE - json.length()))).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return Aes128Gcm.encrypt(padded, registration.uaPublic, registration.authSecret);
    }

    private void wake(Registration registration, ChannelKey key) {
        long now = clock.millis();
        String jwt;
        synchronized (registration) {
            if (now - registration.lastWakeMs < settings.minInterval().toMillis()) {
                coalesced.increment();
                return;
            }
            Map.Entry<Long, String> usable = registration.jwts.ceilingEntry(now / 1000 + RESERVE_SECONDS);
            if (usable == null) {
                return; // every JWT runs out within a minute: the sweep forgets it soon
            }
            registration.lastWakeMs = now;
            jwt = usable.getValue();
        }
        long[] attempt = {0};
        byte[] body = marker(registration, key);
        Mono.defer(() -> sender.send(registration.endpoint, jwt, registration.vapidKey, body))
                .flatMap(answer -> {
                    attempt[0]++;
                    int status = answer.status();
                    if (status == 429 || status >= 500) {
                        Duration wait = answer.retryAfter();
                        return Mono.error(new RetryLater(status, wait));
                    }
                    return Mono.just(status);
                })
                .retryWhen(Retry.from(signals -> signals.concatMap(signal -> {
                    if (!(signal.failure() instanceof RetryLater later) || signal.totalRetries() + 1 >= settings.maxAttempts()) {
                        return Mono.error(signal.failure());
                    }
                    Duration wait = later.wait != null ? later.wait : settings.retryBackoff().multipliedBy(1L << signal.totalRetries());
                    return Mono.delay(wait);
                })))
                .subscribe(status -> answered(registration, status), failure -> {
                    String reason = failure instanceof RetryLater later ? String.valueOf(later.status) : "unreachable";
                    meters.counter("ats.relay.push.failed", "status", reason).increment();
                    log.debug("A push failed after {} attempts: {}", attempt[0], reason);
                });
    }

    private void answered(Registration registration, int status) {
        if (status >= 200 && status < 300) {
            sent.increment();
            return;
        }
        meters.counter("ats.relay.push.failed", "status", String.valueOf(status)).increment();
        if (status == 404 || status == 410) {
            // The subscription is gone for good (RFC 8030 section 7.3).
            if (byEndpoint.remove(registration.endpoint.toString(), registration)) {
                unindex(registration);
            }
        }
    }

    /** Forgets JWTs that ran out, and registrations left without one: nothing outlives its JWTs. */
    @Scheduled(fixedDelay = 1000)
    void sweep() {
        long now = clock.millis() / 1000;
        for (Registration registration : List.copyOf(byEndpoint.values())) {
            boolean empty;
            synchronized (registration) {
                registration.jwts.headMap(now, true).clear();
                empty = registration.jwts.isEmpty();
            }
            if (empty && byEndpoint.remove(registration.endpoint.toString(), registration)) {
                unindex(registration);
            }
        }
    }

    /** Whether a registration for {@code endpoint} is held. */
    public boolean holds(String endpoint) {
        return byEndpoint.containsKey(endpoint);
    }

    /** Whether a registration for {@code endpoint} is held and its device has no live connection. */
    public boolean asleep(String endpoint) {
        Registration registration = byEndpoint.get(endpoint);
        return registration != null && registration.owner == null;
    }

    /** Registrations held now. */
    public int size() {
        return byEndpoint.size();
    }

    private void unindex(Registration registration) {
        registration.listening.forEach(channels::unsubscribe);
        registration.listening.clear();
    }

    private static final class RetryLater extends RuntimeException {
        final int status;
        final Duration wait;

        RetryLater(int status, Duration wait) {
            super("push service answered " + status, null, false, false);
            this.status = status;
            this.wait = wait;
        }
    }
}
