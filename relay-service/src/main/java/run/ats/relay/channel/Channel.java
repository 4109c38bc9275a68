package run.ats.relay.channel;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One (tag, cell): its subscribers and its unexpired events, oldest first. Every event id is
 * remembered until its event would expire, even after the event itself was evicted to keep at
 * most {@code max} events, so a duplicate is dropped however late it comes back (a tree that
 * moves pushes its unexpired events to the new parent). At most {@link #IDS_PER_EVENT} times
 * {@code max} ids are kept; beyond that the oldest go.
 */
final class Channel {

    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<StoredEvent> events = new ArrayDeque<>();
    static final int IDS_PER_EVENT = 10;
    /** Event id to its expiry, oldest first. */
    private final LinkedHashMap<String, Long> ids = new LinkedHashMap<>();

    void add(Subscriber subscriber) {
        subscribers.add(subscriber);
    }

    boolean remove(Subscriber subscriber) {
        return subscribers.remove(subscriber);
    }

    Set<Subscriber> subscribers() {
        return subscribers;
    }

    /** False for a duplicate id. Drops the oldest events beyond {@code max}; answers how many through {@code dropped}. */
    synchronized boolean store(StoredEvent event, int max, int[] dropped) {
        if (ids.putIfAbsent(event.id(), event.expiresAtMs()) != null) {
            return false;
        }
        events.addLast(event);
        while (events.size() > max) {
            events.removeFirst();
            dropped[0]++;
        }
        for (Iterator<String> oldest = ids.keySet().iterator(); ids.size() > (long) max * IDS_PER_EVENT && oldest.hasNext(); ) {
            oldest.next();
            oldest.remove();
        }
        return true;
    }

    synchronized List<StoredEvent> unexpired(long nowMs) {
        return events.stream().filter(e -> e.expiresAtMs() > nowMs).toList();
    }

    /** Forgets expired events and the ids of expired events; answers how many events expired. */
    synchronized int expire(long nowMs) {
        int expired = 0;
        for (Iterator<StoredEvent> it = events.iterator(); it.hasNext(); ) {
            if (it.next().expiresAtMs() <= nowMs) {
                it.remove();
                expired++;
            }
        }
        ids.values().removeIf(expiresAt -> expiresAt <= nowMs);
        return expired;
    }

    /** Nothing to deliver to and nothing to remember: the channel can go. */
    synchronized boolean idle() {
        return subscribers.isEmpty() && events.isEmpty() && ids.isEmpty();
    }
}
