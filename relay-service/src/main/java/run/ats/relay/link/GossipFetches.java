package run.ats.relay.link;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Directory fetches from peers that announced a newer version: per peer at most one in flight and
 * one started per {@code gossip-interval}. An announcement that comes while a fetch runs or too
 * soon after one is remembered (the highest) and fetched once the interval is over, if this relay
 * still holds an older version then; so a peer announcing ever higher versions costs one fetch
 * per interval, and an honest announcement is never lost, only delayed.
 */
@Component
final class GossipFetches {

    /** One peer's fetch state; guarded by itself. */
    private static final class Peer {
        long wanted;
        boolean inFlight;
        boolean scheduled;
        long lastStartMs = Long.MIN_VALUE / 2;
    }

    private final Map<String, Peer> peers = new ConcurrentHashMap<>();
    private final Duration interval;
    private final Clock clock;
    private final Counter started;
    private final Counter deferred;

    GossipFetches(LinkSettings settings, Clock clock, MeterRegistry meters) {
        this.interval = settings.gossipInterval();
        this.clock = clock;
        this.started = meters.counter("ats.relay.links.gossip.fetches", "outcome", "started");
        this.deferred = meters.counter("ats.relay.links.gossip.fetches", "outcome", "deferred");
    }

    /**
     * {@code peerId} announced {@code version}; {@code held} answers the version this relay holds,
     * {@code fetch} fetches from the peer (and must not error).
     */
    void wanted(String peerId, long version, LongSupplier held, Function<String, Mono<Void>> fetch) {
        Peer peer = peers.computeIfAbsent(peerId, id -> new Peer());
        synchronized (peer) {
            peer.wanted = Math.max(peer.wanted, version);
        }
        next(peerId, peer, held, fetch);
    }

    private void next(String peerId, Peer peer, LongSupplier held, Function<String, Mono<Void>> fetch) {
        long waitMs;
        synchronized (peer) {
            if (peer.wanted <= held.getAsLong() || peer.inFlight || peer.scheduled) {
                if (peer.inFlight || peer.scheduled) {
                    deferred.increment();
                }
                return;
            }
            long now = clock.millis();
            waitMs = peer.lastStartMs + interval.toMillis() - now;
            if (waitMs > 0) {
                peer.scheduled = true;
                deferred.increment();
            } else {
                peer.inFlight = true;
                peer.lastStartMs = now;
                peer.wanted = 0; // this fetch answers every announcement so far
            }
        }
        if (waitMs > 0) {
            Mono.delay(Duration.ofMillis(waitMs)).subscribe(tick -> {
                synchronized (peer) {
                    peer.scheduled = false;
                }
                next(peerId, peer, held, fetch);
            });
            return;
        }
        started.increment();
        fetch.apply(peerId)
                .doFinally(signal -> {
                    synchronized (peer) {
                        peer.inFlight = false;
                    }
                    next(peerId, peer, held, fetch);
                })
                .subscribe();
    }
}
