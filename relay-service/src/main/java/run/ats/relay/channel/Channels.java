package run.ats.relay.channel;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import run.ats.relay.RelayProperties;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every live (tag, cell) of this relay. Publishing stores the event once and hands the same
 * encoded bytes to every subscriber but the publisher. A sweep each second forgets expired
 * events and empty channels: nothing outlives its TTL, nothing is written anywhere.
 */
@Component
public final class Channels {

    public enum Published { DELIVERED, DUPLICATE }

    private final ConcurrentHashMap<ChannelKey, Channel> channels = new ConcurrentHashMap<>();
    private final RelayProperties properties;
    private final Clock clock;
    private final Counter expired;
    private final Counter dropped;
    private final Counter delivered;

    Channels(RelayProperties properties, Clock clock, MeterRegistry meters) {
        this.properties = properties;
        this.clock = clock;
        this.expired = meters.counter("ats.relay.events", "outcome", "expired");
        this.dropped = meters.counter("ats.relay.events", "outcome", "dropped");
        this.delivered = meters.counter("ats.relay.events", "outcome", "out");
        meters.gauge("ats.relay.channels", channels, ConcurrentHashMap::size);
    }

    /** Subscribes and answers the unexpired events to replay, oldest first. */
    public List<StoredEvent> subscribe(ChannelKey key, Subscriber subscriber) {
        // compute() keeps this atomic with the sweep's removal of idle channels.
        Channel channel = channels.compute(key, (k, existing) -> {
            Channel c = existing == null ? new Channel() : existing;
            c.add(subscriber);
            return c;
        });
        return channel.unexpired(clock.millis());
    }

    /** True if it was subscribed. */
    public boolean unsubscribe(ChannelKey key, Subscriber subscriber) {
        Channel channel = channels.get(key);
        return channel != null && channel.remove(subscriber);
    }

    public Published publish(ChannelKey key, StoredEvent event, Subscriber from) {
        int[] evicted = {0};
        boolean[] fresh = {false};
        Channel channel = channels.compute(key, (k, existing) -> {
            Channel c = existing == null ? new Channel() : existing;
            fresh[0] = c.store(event, properties.maxEventsPerChannel(), evicted);
            return c;
        });
        dropped.increment(evicted[0]);
        if (!fresh[0]) {
            return Published.DUPLICATE;
        }
        int sent = 0;
        for (Subscriber subscriber : channel.subscribers()) {
            if (subscriber != from) {
                subscriber.deliver(event.frame());
                sent++;
            }
        }
        delivered.increment(sent);
        return Published.DELIVERED;
    }

    /** The channels this relay holds now. */
    public java.util.Set<ChannelKey> keys() {
        return java.util.Set.copyOf(channels.keySet());
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

    @Scheduled(fixedDelay = 1000)
    void sweep() {
        long now = clock.millis();
        for (ChannelKey key : channels.keySet()) {
            channels.computeIfPresent(key, (k, channel) -> {
                expired.increment(channel.expire(now));
                return channel.idle() ? null : channel;
            });
        }
    }
}
