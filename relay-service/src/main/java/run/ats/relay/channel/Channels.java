package run.ats.relay.channel;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.jspecify.annotations.Nullable;
import run.ats.relay.RelayProperties;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every live (tag, cell) of this relay. Publishing stores the event once and hands the same
 * encoded bytes to every subscriber but the publisher. A sweep each second forgets expired
 * events and empty channels: nothing outlives its TTL, nothing is written anywhere.
 *
 * <p>The relay's memory is bounded: at most {@code maxChannels} channels and
 * {@code maxStoredBytes} of stored events (see {@link Channel#bytes()}), of which one owner (a
 * client address) may hold {@code maxStoredBytesPerOwner}, so that one address cannot fill the
 * relay for everyone else. Room is reserved before anything is stored, so no bound is ever
 * passed, even by publishes racing on different channels. A client's subscribe or publish that
 * would pass a bound is refused; channels that relay links and push registrations subscribe are
 * counted but not refused (their own limits bound them), and events from links have no owner.
 */
@Component
public final class Channels {

    public enum Published { DELIVERED, DUPLICATE, NO_ROOM_FOR_CHANNEL, NO_ROOM_FOR_EVENT, NO_ROOM_FOR_OWNER }

    /** A client's subscribe refused: the relay holds as many channels as it may. */
    public static final class Full extends Exception {
        Full(String message) {
            super(message);
        }
    }

    private final ConcurrentHashMap<ChannelKey, Channel> channels = new ConcurrentHashMap<>();
    private final int maxEventsPerChannel;
    private final int maxChannels;
    private final long maxStoredBytes;
    private final long maxStoredBytesPerOwner;
    private final ConcurrentHashMap<String, AtomicLong> perOwner = new ConcurrentHashMap<>();
    private final Clock clock;
    private final AtomicInteger channelCount = new AtomicInteger();
    private final AtomicLong storedBytes = new AtomicLong();
    private final Counter expired;
    private final Counter dropped;
    private final Counter delivered;
    private final Counter refusedChannels;
    private final Counter refusedEvents;
    private final Counter refusedOwners;

    @Autowired
    Channels(RelayProperties properties, Clock clock, MeterRegistry meters) {
        this(properties.maxEventsPerChannel(), properties.maxChannels(), properties.maxStoredBytes().toBytes(),
                properties.maxStoredBytesPerAddress().toBytes(), clock, meters);
    }

    Channels(int maxEventsPerChannel, int maxChannels, long maxStoredBytes, long maxStoredBytesPerOwner, Clock clock,
             MeterRegistry meters) {
        this.maxEventsPerChannel = maxEventsPerChannel;
        this.maxChannels = maxChannels;
        this.maxStoredBytes = maxStoredBytes;
        this.maxStoredBytesPerOwner = maxStoredBytesPerOwner;
        this.clock = clock;
        this.expired = meters.counter("ats.relay.events", "outcome", "expired");
        this.dropped = meters.counter("ats.relay.events", "outcome", "dropped");
        this.delivered = meters.counter("ats.relay.events", "outcome", "out");
        this.refusedChannels = meters.counter("ats.relay.capacity.refusals", "limit", "channels");
        this.refusedEvents = meters.counter("ats.relay.capacity.refusals", "limit", "stored-bytes");
        this.refusedOwners = meters.counter("ats.relay.capacity.refusals", "limit", "stored-bytes-per-address");
        meters.gauge("ats.relay.channels", channelCount);
        meters.gauge("ats.relay.stored.bytes", storedBytes);
    }

    /**
     * A client subscribes: answers its replay of the events stored until now, to be read as its
     * socket takes them. Refused if the channel is new and the relay holds {@code maxChannels}.
     */
    public Replay subscribeWithReplay(ChannelKey key, Subscriber subscriber) throws Full {
        long[] upTo = {0};
        // compute() keeps this atomic with publishes (the replay ends where live delivery begins)
        // and with the sweep's removal of idle channels.
        Channel channel = channels.compute(key, (k, existing) -> {
            Channel c = existing == null && reserveChannel() ? new Channel() : existing;
            if (c != null) {
                c.add(subscriber);
                upTo[0] = c.lastSeq();
            }
            return c;
        });
        if (channel == null) {
            refusedChannels.increment();
            throw new Full(noRoom(Published.NO_ROOM_FOR_CHANNEL));
        }
        return new Replay(channel, upTo[0], clock);
    }

    /** A push registration subscribes: it wants what comes next, no replay. Never refused. */
    public void subscribe(ChannelKey key, Subscriber subscriber) {
        uncapped(key, subscriber, new long[1]);
    }

    /**
     * A relay link joins a tree: never refused, and its replay is a cursor for the link's outbox
     * to pace as a client's is, so that a tree full of large events cannot make the link, which
     * carries every tree two relays share, look like a slow consumer.
     */
    public Replay subscribeLinkWithReplay(ChannelKey key, Subscriber link) {
        long[] upTo = {0};
        Channel channel = uncapped(key, link, upTo);
        return new Replay(channel, upTo[0], clock);
    }

    private Channel uncapped(ChannelKey key, Subscriber subscriber, long[] upTo) {
        return channels.compute(key, (k, existing) -> {
            Channel c = existing;
            if (c == null) {
                channelCount.incrementAndGet();
                c = new Channel();
            }
            c.add(subscriber);
            upTo[0] = c.lastSeq();
            return c;
        });
    }

    /** True if it was subscribed. */
    public boolean unsubscribe(ChannelKey key, Subscriber subscriber) {
        Channel channel = channels.get(key);
        return channel != null && channel.remove(subscriber);
    }

    /** An event from a relay link: it has no owner (the relay it came from answers for it). */
    public Published publish(ChannelKey key, StoredEvent event, Subscriber from) {
        return publish(key, event, from, null);
    }

    /**
     * Stores the event, counted against {@code owner}'s share (a client's address; null: none),
     * and hands it to every subscriber but {@code from}, unless it is a duplicate or there is no
     * room for it.
     */
    public Published publish(ChannelKey key, StoredEvent event, Subscriber from, @Nullable String owner) {
        int[] evicted = {0};
        Published[] outcome = {Published.NO_ROOM_FOR_CHANNEL};
        Channel channel = channels.compute(key, (k, existing) -> {
            Channel c = existing;
            if (c == null) {
                if (!reserveChannel()) {
                    return null;
                }
                c = new Channel();
            }
            outcome[0] = c.store(event, owner, maxEventsPerChannel, evicted, cost -> reserve(owner, cost), this::release);
            if (outcome[0] != Published.DELIVERED && existing == null) {
                channelCount.decrementAndGet();
                return null;
            }
            return c;
        });
        dropped.increment(evicted[0]);
        switch (outcome[0]) {
            case NO_ROOM_FOR_CHANNEL -> refusedChannels.increment();
            case NO_ROOM_FOR_EVENT -> refusedEvents.increment();
            case NO_ROOM_FOR_OWNER -> refusedOwners.increment();
            case DUPLICATE -> { }
            case DELIVERED -> deliver(channel, event, from);
        }
        return outcome[0];
    }

    private void deliver(Channel channel, StoredEvent event, Subscriber from) {
        int sent = 0;
        for (Subscriber subscriber : channel.subscribers()) {
            if (subscriber != from) {
                subscriber.deliver(event.frame());
                sent++;
            }
        }
        delivered.increment(sent);
    }

    /** Why a publish or subscribe was refused, with the bound that refused it. */
    public String noRoom(Published outcome) {
        return switch (outcome) {
            case NO_ROOM_FOR_CHANNEL -> "relay full: it holds its maximum of " + maxChannels + " channels; try again when some expire";
            case NO_ROOM_FOR_OWNER -> "your address holds its maximum of " + maxStoredBytesPerOwner
                    + " bytes of events on this relay; try again when some expire";
            default -> "relay full: it holds its maximum of " + maxStoredBytes + " bytes of events; try again when some expire";
        };
    }

    private boolean reserveChannel() {
        return channelCount.getAndUpdate(n -> n < maxChannels ? n + 1 : n) < maxChannels;
    }

    /** Reserves the cost in the relay's budget, then in the owner's share; DELIVERED if both had room. */
    private Published reserve(@Nullable String owner, long cost) {
        if (!reserve(storedBytes, cost, maxStoredBytes)) {
            return Published.NO_ROOM_FOR_EVENT;
        }
        if (owner != null) {
            boolean[] fits = {false};
            perOwner.compute(owner, (k, held) -> {
                AtomicLong share = held == null ? new AtomicLong() : held;
                fits[0] = reserve(share, cost, maxStoredBytesPerOwner);
                return share.get() == 0 ? null : share;
            });
            if (!fits[0]) {
                storedBytes.addAndGet(-cost);
                return Published.NO_ROOM_FOR_OWNER;
            }
        }
        return Published.DELIVERED;
    }

    private static boolean reserve(AtomicLong held, long cost, long max) {
        return held.getAndUpdate(n -> n + cost <= max ? n + cost : n) + cost <= max;
    }

    /** Bytes a channel no longer holds, back to the relay's budget and to the owner's share. */
    private void release(@Nullable String owner, long bytes) {
        storedBytes.addAndGet(-bytes);
        if (owner != null) {
            perOwner.computeIfPresent(owner, (k, share) -> share.addAndGet(-bytes) == 0 ? null : share);
        }
    }

    /** The channels this relay holds now. */
    public Set<ChannelKey> keys() {
        return Set.copyOf(channels.keySet());
    }

    /** Subscribers of the channel other than {@code except} (say the link to its tree's parent). */
    public long subscribersExcept(ChannelKey key, Subscriber except) {
        Channel channel = channels.get(key);
        return channel == null ? 0 : channel.subscribers().stream().filter(s -> s != except).count();
    }

    /** Whether the channel holds unexpired events that clients of this relay published. */
    public boolean hasLocalEvents(ChannelKey key) {
        return unexpired(key).stream().anyMatch(StoredEvent::local);
    }

    /** The channel's unexpired events, oldest first. */
    public List<StoredEvent> unexpired(ChannelKey key) {
        Channel channel = channels.get(key);
        return channel == null ? List.of() : channel.unexpired(clock.millis());
    }

    /** Channels held now (with those being removed by a sweep, at most {@code maxChannels} plus links' and pushes'). */
    int channelCount() {
        return channelCount.get();
    }

    /** Bytes held now against {@code maxStoredBytes}. */
    long storedBytes() {
        return storedBytes.get();
    }

    /** Bytes one owner holds now against {@code maxStoredBytesPerOwner}. */
    long storedBytes(String owner) {
        AtomicLong share = perOwner.get(owner);
        return share == null ? 0 : share.get();
    }

    /** Owners holding anything now. */
    int owners() {
        return perOwner.size();
    }

    @Scheduled(fixedDelay = 1000)
    void sweep() {
        long now = clock.millis();
        for (ChannelKey key : channels.keySet()) {
            channels.computeIfPresent(key, (k, channel) -> {
                expired.increment(channel.expire(now, this::release));
                if (channel.idle()) {
                    channelCount.decrementAndGet();
                    return null;
                }
                return channel;
            });
        }
    }
}
