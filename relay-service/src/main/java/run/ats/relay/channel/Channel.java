package run.ats.relay.channel;

import org.jspecify.annotations.Nullable;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One (tag, cell): its subscribers and its unexpired events, oldest first, each numbered in the
 * order it was stored. Every event id is remembered until its event would expire, even after
 * the event itself was evicted to keep at most {@code max} events, so a duplicate is dropped
 * however late it comes back (a tree that moves pushes its unexpired events to the new parent).
 * At most {@link #IDS_PER_EVENT} times {@code max} ids are kept; beyond that the oldest go.
 *
 * <p>{@link #bytes()} is what the channel holds against the relay's stored-bytes budget: the
 * frames of its events, and {@link #idCost} for each id it remembers.
 */
final class Channel {

    static final int IDS_PER_EVENT = 10;
    /** A remembered id beside its characters: a map entry, a String and a Long, roughly, on a 64-bit JVM. */
    static final int ID_OVERHEAD_BYTES = 96;

    /** {@code owner}: whose share of the budget the event counts against (a client's address), or null. */
    private record Kept(long seq, StoredEvent event, @Nullable String owner) {
    }

    private record Remembered(long expiresAtMs, @Nullable String owner) {
    }

    /** Gives bytes back to the budget: the relay's, and the owner's share if there is an owner. */
    interface Release {
        void bytes(@Nullable String owner, long bytes);
    }

    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<Kept> events = new ArrayDeque<>();
    /** Event id to its expiry (and owner), oldest first. */
    private final LinkedHashMap<String, Remembered> ids = new LinkedHashMap<>();
    private long lastSeq;
    private long bytes;

    /** What storing the event costs: its frame while it is kept, its id while it is remembered. */
    static long cost(StoredEvent event) {
        return event.frame().length + idCost(event.id());
    }

    static long idCost(String id) {
        return ID_OVERHEAD_BYTES + id.length();
    }

    void add(Subscriber subscriber) {
        subscribers.add(subscriber);
    }

    boolean remove(Subscriber subscriber) {
        return subscribers.remove(subscriber);
    }

    Set<Subscriber> subscribers() {
        return subscribers;
    }

    /**
     * Stores the event unless its id is known ({@code DUPLICATE}) or {@code reserve} refuses its
     * {@link #cost} ({@code NO_ROOM_FOR_EVENT} or {@code NO_ROOM_FOR_OWNER}, whatever it answers);
     * then drops the oldest events beyond {@code max}, answering how many through {@code dropped}
     * and giving back what they held through {@code release}.
     */
    synchronized Channels.Published store(StoredEvent event, @Nullable String owner, int max, int[] dropped,
                                          Function<Long, Channels.Published> reserve, Release release) {
        if (ids.containsKey(event.id())) {
            return Channels.Published.DUPLICATE;
        }
        Channels.Published reserved = reserve.apply(cost(event));
        if (reserved != Channels.Published.DELIVERED) {
            return reserved;
        }
        ids.put(event.id(), new Remembered(event.expiresAtMs(), owner));
        events.addLast(new Kept(++lastSeq, event, owner));
        bytes += cost(event);
        while (events.size() > max) {
            Kept evicted = events.removeFirst();
            bytes -= evicted.event().frame().length;
            release.bytes(evicted.owner(), evicted.event().frame().length);
            dropped[0]++;
        }
        for (Iterator<Map.Entry<String, Remembered>> oldest = ids.entrySet().iterator(); ids.size() > (long) max * IDS_PER_EVENT && oldest.hasNext(); ) {
            Map.Entry<String, Remembered> id = oldest.next();
            bytes -= idCost(id.getKey());
            release.bytes(id.getValue().owner(), idCost(id.getKey()));
            oldest.remove();
        }
        return Channels.Published.DELIVERED;
    }

    synchronized List<StoredEvent> unexpired(long nowMs) {
        return events.stream().map(Kept::event).filter(e -> e.expiresAtMs() > nowMs).toList();
    }

    /** The number of the last event stored: a replay started now ends there. */
    synchronized long lastSeq() {
        return lastSeq;
    }

    /**
     * The frames of unexpired events numbered after {@code after} and up to {@code upTo}, oldest
     * first, until they reach {@code maxBytes} (at least one frame, if any is left). The number of
     * the last one answered goes to {@code last[0]}; {@code upTo} once none is left.
     */
    synchronized List<byte[]> framesAfter(long after, long upTo, long nowMs, long maxBytes, long[] last) {
        List<byte[]> frames = new ArrayList<>();
        long size = 0;
        for (Kept kept : events) {
            if (kept.seq() <= after) {
                continue;
            }
            if (kept.seq() > upTo || size >= maxBytes) {
                break;
            }
            last[0] = kept.seq();
            if (kept.event().expiresAtMs() > nowMs) {
                frames.add(kept.event().frame());
                size += kept.event().frame().length;
            }
        }
        if (frames.isEmpty()) {
            last[0] = upTo;
        }
        return frames;
    }

    /** Forgets expired events and the ids of expired events, giving back what they held; answers how many events expired. */
    synchronized int expire(long nowMs, Release release) {
        int expired = 0;
        for (Iterator<Kept> it = events.iterator(); it.hasNext(); ) {
            Kept kept = it.next();
            if (kept.event().expiresAtMs() <= nowMs) {
                bytes -= kept.event().frame().length;
                release.bytes(kept.owner(), kept.event().frame().length);
                it.remove();
                expired++;
            }
        }
        for (Iterator<Map.Entry<String, Remembered>> it = ids.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Remembered> id = it.next();
            if (id.getValue().expiresAtMs() <= nowMs) {
                bytes -= idCost(id.getKey());
                release.bytes(id.getValue().owner(), idCost(id.getKey()));
                it.remove();
            }
        }
        return expired;
    }

    /** What the channel holds against the stored-bytes budget. */
    synchronized long bytes() {
        return bytes;
    }

    /** Nothing to deliver to and nothing to remember: the channel can go. */
    synchronized boolean idle() {
        return subscribers.isEmpty() && events.isEmpty() && ids.isEmpty();
    }
}
