package run.ats.relay.channel;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One (tag, cell): its subscribers and its unexpired events, oldest first. Event ids seen while
 * their events live are remembered, so a duplicate is dropped.
 */
final class Channel {

    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<StoredEvent> events = new ArrayDeque<>();
    private final Set<String> ids = new HashSet<>();

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
        if (!ids.add(event.id())) {
            return false;
        }
        events.addLast(event);
        while (events.size() > max) {
            ids.remove(events.removeFirst().id());
            dropped[0]++;
        }
        return true;
    }

    synchronized List<StoredEvent> unexpired(long nowMs) {
        return events.stream().filter(e -> e.expiresAtMs() > nowMs).toList();
    }

    /** Forgets expired events and their ids; answers how many. */
    synchronized int expire(long nowMs) {
        int expired = 0;
        for (Iterator<StoredEvent> it = events.iterator(); it.hasNext(); ) {
            StoredEvent event = it.next();
            if (event.expiresAtMs() <= nowMs) {
                it.remove();
                ids.remove(event.id());
                expired++;
            }
        }
        return expired;
    }

    synchronized boolean idle() {
        return subscribers.isEmpty() && events.isEmpty();
    }
}
