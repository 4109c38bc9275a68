package run.ats.relay.link;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import run.ats.protocol.directory.InvalidDirectoryException;
import run.ats.protocol.directory.SignedDirectory;
import run.ats.protocol.wire.LinkMessage;
import run.ats.protocol.wire.ServerMessage;
import run.ats.protocol.wire.WireCodec;
import run.ats.relay.RelayProperties;
import run.ats.relay.channel.ChannelKey;
import run.ats.relay.channel.Channels;
import run.ats.relay.channel.StoredEvent;
import run.ats.relay.directory.DirectoryHolder;

import java.time.Clock;
import java.time.Duration;

/**
 * What both ends of an authenticated link do with its frames: join and leave trees (the
 * accepting end), take events into the tree's channel (deduplicated by id, so a loop or a
 * second path delivers nothing twice), and gossip directory versions: each side announces the
 * version it holds when the link opens and whenever it takes a newer one; the side that holds
 * an older one fetches the peer's {@code GET /v1/directory} and keeps it if the pinned key signed it.
 */
@Component
final class LinkTraffic {

    private static final Logger log = LoggerFactory.getLogger(LinkTraffic.class);

    private final Channels channels;
    private final DirectoryHolder directory;
    private final LinkPeers peers;
    private final HttpClient http = HttpClient.create()
            .responseTimeout(Duration.ofSeconds(5));
    private final RelayProperties properties;
    private final LinkLimits limits;
    private final LinkSettings settings;
    private final GossipFetches fetches;
    private final io.micrometer.core.instrument.Counter treesRefused;
    private final Clock clock;
    private final java.util.Set<Link> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Trees that children have joined here, summed over their links. */
    private final java.util.concurrent.atomic.AtomicInteger childTrees = new java.util.concurrent.atomic.AtomicInteger();
    private final reactor.core.Disposable announcing;

    LinkTraffic(Channels channels, DirectoryHolder directory, LinkPeers peers, LinkLimits limits, LinkSettings settings,
                GossipFetches fetches, RelayProperties properties, Clock clock, io.micrometer.core.instrument.MeterRegistry meters) {
        this.channels = channels;
        this.limits = limits;
        this.settings = settings;
        this.fetches = fetches;
        this.treesRefused = meters.counter("ats.relay.links.refused.trees");
        this.directory = directory;
        this.peers = peers;
        this.properties = properties;
        this.clock = clock;
        meters.gauge("ats.relay.tree.children", childTrees);
        // Every version this relay takes (from the directory or a peer) is announced on every link.
        this.announcing = directory.changes()
                .subscribe(signed -> open.forEach(link -> link.send(new LinkMessage.DirectoryVersion(signed.directory().version()))));
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        announcing.dispose();
    }

    /** Right after authentication: tell the peer which directory version we hold. */
    void opened(Link link) {
        open.add(link);
        link.send(new LinkMessage.DirectoryVersion(directory.newest().map(s -> s.directory().version()).orElse(0L)));
    }

    /** Handles one frame of an authenticated link, once the link's rate allows it ({@link LinkLimits}). */
    Mono<Void> onFrame(Link link, LinkMessage message) {
        return limits.admit(link, message).then(Mono.fromRunnable(() -> handle(link, message)));
    }

    private void handle(Link link, LinkMessage message) {
        switch (message) {
            case LinkMessage.Join join -> {
                ChannelKey key = new ChannelKey(join.topic(), join.cell());
                if (!link.trees().contains(key) && link.trees().size() >= settings.maxTrees()) {
                    treesRefused.increment();
                    link.close(1008, "more than " + settings.maxTrees() + " trees on one link");
                    return;
                }
                if (link.trees().add(key)) {
                    childTrees.incrementAndGet();
                    link.replay(channels.subscribeLinkWithReplay(key, link));
                }
            }
            case LinkMessage.Leave leave -> {
                ChannelKey key = new ChannelKey(leave.topic(), leave.cell());
                if (link.trees().remove(key)) {
                    childTrees.decrementAndGet();
                    channels.unsubscribe(key, link);
                }
            }
            case LinkMessage.Event event -> accept(link, event);
            case LinkMessage.DirectoryVersion version -> gossip(link, version.version());
            case LinkMessage.Challenge c -> link.close(1008, "challenge after authentication");
            case LinkMessage.Hello h -> link.close(1008, "hello after authentication");
            case LinkMessage.Welcome w -> link.close(1008, "welcome after authentication");
        }
    }

    /** The link closed: it carries no tree any more. */
    void closed(Link link) {
        open.remove(link);
        limits.closed(link);
        if (!link.dialed()) {
            childTrees.addAndGet(-link.trees().size());
        }
        for (ChannelKey key : link.trees()) {
            channels.unsubscribe(key, link);
        }
        link.trees().clear();
    }

    private void accept(Link link, LinkMessage.Event event) {
        long now = clock.millis();
        long expiresAt = Math.min(event.expiresAt(), now + properties.maxEventTtl().toMillis());
        if (expiresAt <= now) {
            return;
        }
        byte[] frame = WireCodec.encode(new ServerMessage.Event(event.topic(), event.cell(), event.id(), event.payload(), expiresAt));
        channels.publish(new ChannelKey(event.topic(), event.cell()), new StoredEvent(event.id(), expiresAt, frame, false), link);
    }

    /**
     * The peer holds a newer version: fetch it from the peer's listed URL, through
     * {@link GossipFetches} (one at a time and one per interval per peer, however often it announces).
     */
    private void gossip(Link link, long theirs) {
        fetches.wanted(link.peerId(), theirs, () -> directory.newest().map(s -> s.directory().version()).orElse(0L), this::fetch);
    }

    private Mono<Void> fetch(String peerId) {
        return Mono.justOrEmpty(peers.directoryUrl(peerId))
                .flatMap(url -> Mono.fromCallable(() -> PeerAddresses.to(http, url, settings.allowPrivatePeers()))
                        .flatMap(client -> client.get().uri(url).responseSingle((response, body) -> response.status().code() == 200 ? body.asString()
                                : Mono.error(new IllegalStateException("HTTP " + response.status().code()))))
                        .timeout(Duration.ofSeconds(5)))
                .doOnNext(json -> {
                    try {
                        directory.offer(SignedDirectory.parse(json));
                    } catch (InvalidDirectoryException e) {
                        log.warn("Peer {} gossiped a directory version that does not parse: {}", peerId, e.getMessage());
                    }
                })
                .then()
                .onErrorResume(error -> {
                    log.debug("Directory fetch from peer {} failed: {}", peerId, error.toString());
                    return Mono.empty();
                });
    }
}
