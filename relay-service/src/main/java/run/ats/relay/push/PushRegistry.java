package run.ats.relay.push;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import run.ats.protocol.wire.ClientMessage;
import run.ats.protocol.wire.ErrorCode;
import run.ats.protocol.wire.ServerMessage;
import run.ats.relay.RelayProperties;
import run.ats.relay.channel.ChannelKey;
import run.ats.relay.channel.Channels;
import run.ats.relay.channel.Subscriber;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Push registrations, in memory only and only while one of their JWTs is valid. A registration
 * belongs to the connection that made it; while that connection is open the device is awake and
 * gets no push. Each registration subscribes to its channels like a client, so this relay stays
 * in their trees after the device went to sleep and still hears of new events. When an event
 * arrives on a registered (tag, cell) for a device without a live connection, it is woken, at most
 * once per {@code min-interval} (later events are coalesced), through {@link PushDelivery}
 * (bounded retries, a rate per push service), and forgotten on 404 or 410.
 *
 * <p>What registrations hold is bounded per connection, per relay token and per client address
 * ({@link PushQuotas}), besides the relay-wide cap: a registration outlives its connection by
 * design, so without those one account could hold every slot, and every slot's channels, for a day.
 */
@Component
public final class PushRegistry {

    /** Why a registration was refused, with the error code the client is answered with. */
    public static final class Refused extends Exception {
        private final ErrorCode code;

        Refused(String message) {
            this(ErrorCode.BAD_REQUEST, message);
        }

        Refused(ErrorCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        public ErrorCode code() {
            return code;
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
        /** What it counts against the quotas. */
        final PushQuotas.Share share;
        /** What it subscribed to each channel with: its wake for that channel. */
        final Map<ChannelKey, Subscriber> listening = new ConcurrentHashMap<>();
        /** Whether the connection that made it is open (the device is awake). */
        volatile boolean connected = true;
        long lastWakeMs = Long.MIN_VALUE / 2;

        Registration(URI endpoint, String vapidKey, TreeMap<Long, String> jwts, byte[] uaPublic, byte[] authSecret,
                     PushQuotas.Share share) {
            this.endpoint = endpoint;
            this.vapidKey = vapidKey;
            this.jwts = jwts;
            this.uaPublic = uaPublic;
            this.authSecret = authSecret;
            this.share = share;
        }
    }

    private final PushSettings settings;
    private final PushDelivery delivery;
    private final Clock clock;
    private final Map<String, Registration> byEndpoint = new ConcurrentHashMap<>();
    /** Guards every change of {@code byEndpoint} together with the quotas. */
    private final PushQuotas quotas;
    private final AtomicInteger channelsFollowed = new AtomicInteger();
    private final Counter sent;
    private final Counter coalesced;
    private final MeterRegistry meters;
    private final Channels channels;

    PushRegistry(PushSettings settings, RelayProperties relay, PushDelivery delivery, Channels channels, Clock clock,
                 MeterRegistry meters) {
        this.channels = channels;
        this.settings = settings;
        this.delivery = delivery;
        this.clock = clock;
        this.meters = meters;
        this.quotas = new PushQuotas(settings, relay.maxSubscriptions());
        this.sent = meters.counter("ats.relay.push.sent");
        this.coalesced = meters.counter("ats.relay.push.coalesced");
        meters.gauge("ats.relay.push.registrations", byEndpoint, Map::size);
        meters.gauge("ats.relay.push.channels", channelsFollowed);
    }

    /**
     * Checks and keeps a registration for {@code owner}, replacing one for the same endpoint.
     * Refused with {@code bad_request} when something in it is wrong, {@code limit_reached} when a
     * quota is full.
     */
    public ServerMessage.PushRegistered register(PushOwner owner, ClientMessage.PushRegister request) throws Refused {
        // Validate
        URI endpoint = endpoint(request.endpoint());
        String audience = endpoint.getScheme() + "://" + endpoint.getRawAuthority();
        PublicKey key;
        byte[] uaPublic = null;
        byte[] authSecret = null;
        try {
            key = VapidJwt.publicKey(Base64.getUrlDecoder().decode(request.vapidKey()));
            if (request.keys() != null) {
                uaPublic = Base64.getUrlDecoder().decode(request.keys().p256dh());
                authSecret = Base64.getUrlDecoder().decode(request.keys().auth());
                VapidJwt.publicKey(uaPublic);
            }
        } catch (IllegalArgumentException e) {
            throw new Refused("vapidKey and keys.p256dh must be uncompressed P-256 points, base64url: " + e.getMessage());
        }
        long now = clock.millis() / 1000;
        TreeMap<Long, String> jwts = new TreeMap<>();
        for (String jwt : request.jwts()) {
            try {
                jwts.put(VapidJwt.check(jwt, key, audience, now), jwt);
            } catch (IllegalArgumentException e) {
                throw new Refused("a VAPID JWT was refused: " + e.getMessage());
            }
        }
        Set<ChannelKey> wanted = request.channels().stream().map(c -> new ChannelKey(c.topic(), c.cell())).collect(Collectors.toUnmodifiableSet());

        // Count it, then keep it
        Registration registration = new Registration(endpoint, request.vapidKey(), jwts, uaPublic, authSecret,
                new PushQuotas.Share(owner, wanted.size()));
        Registration previous;
        synchronized (quotas) {
            previous = byEndpoint.get(request.endpoint());
            quotas.take(registration.share, previous == null ? null : previous.share);
            byEndpoint.put(request.endpoint(), registration);
        }
        if (previous != null) {
            registration.lastWakeMs = previous.lastWakeMs;
            unindex(previous);
        }

        // Listen like a client: replayed events are old news, no wake for them
        synchronized (registration.listening) {
            for (ChannelKey channel : wanted) {
                Subscriber wake = frame -> {
                    if (!registration.connected) {
                        wake(registration, channel);
                    }
                };
                registration.listening.put(channel, wake);
                channelsFollowed.incrementAndGet();
                this.channels.subscribe(channel, wake);
            }
        }
        if (byEndpoint.get(request.endpoint()) != registration) {
            unindex(registration); // unregistered (or replaced) meanwhile, by another connection
        }
        return new ServerMessage.PushRegistered(wanted.size(), jwts.lastKey() * 1000);
    }

    private URI endpoint(String given) throws Refused {
        URI endpoint;
        try {
            endpoint = new URI(given);
        } catch (URISyntaxException e) {
            throw new Refused("endpoint is not a URL");
        }
        if (!("https".equals(endpoint.getScheme()) || settings.allowHttp() && "http".equals(endpoint.getScheme()))) {
            throw new Refused("endpoint must be https");
        }
        if (endpoint.getHost() == null || !settings.allows(endpoint.getHost())) {
            throw new Refused("endpoint is not at an allowed push service");
        }
        return endpoint;
    }

    /** Forgets the registration of {@code endpoint}, if there is one. */
    public void unregister(String endpoint) {
        Registration registration = byEndpoint.get(endpoint);
        if (registration != null) {
            forget(registration);
        }
    }

    /** The owner's connection closed: the devices it registered ({@code endpoints}) are asleep from now on. */
    public void ownerClosed(Object connection, Set<String> endpoints) {
        for (String endpoint : endpoints) {
            Registration registration = byEndpoint.get(endpoint);
            if (registration != null && registration.share.owner().connection() == connection) {
                registration.connected = false;
            }
        }
        synchronized (quotas) {
            quotas.connectionClosed(connection);
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
        byte[] padded = (json + " ".repeat(Math.max(0, MARKER_SIZE - json.length()))).getBytes(StandardCharsets.US_ASCII);
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
        byte[] body = marker(registration, key);
        delivery.deliver(registration.endpoint, jwt, registration.vapidKey, body)
                .subscribe(outcome -> answered(registration, outcome));
    }

    private void answered(Registration registration, PushDelivery.Outcome outcome) {
        int status = outcome.status();
        if (status >= 200 && status < 300) {
            sent.increment();
            return;
        }
        meters.counter("ats.relay.push.failed", "status", outcome.reason()).increment();
        log.debug("A push failed: {}", outcome.reason());
        if (status == 404 || status == 410) {
            // The subscription is gone for good (RFC 8030 section 7.3).
            forget(registration);
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
            if (empty) {
                forget(registration);
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
        return registration != null && !registration.connected;
    }

    /** Registrations held now. */
    public int size() {
        return byEndpoint.size();
    }

    /** Removes {@code registration} if it is still the one held for its endpoint, giving its quota back. */
    private void forget(Registration registration) {
        synchronized (quotas) {
            if (!byEndpoint.remove(registration.endpoint.toString(), registration)) {
                return;
            }
            quotas.give(registration.share);
        }
        unindex(registration);
    }

    private void unindex(Registration registration) {
        synchronized (registration.listening) {
            channelsFollowed.addAndGet(-registration.listening.size());
            registration.listening.forEach(channels::unsubscribe);
            registration.listening.clear();
        }
    }
}
