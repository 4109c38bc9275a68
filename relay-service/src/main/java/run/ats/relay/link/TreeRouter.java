package run.ats.relay.link;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import run.ats.protocol.directory.Directory;
import run.ats.protocol.wire.LinkMessage;
import run.ats.relay.channel.ChannelKey;
import run.ats.relay.channel.Channels;
import run.ats.relay.directory.DirectoryHolder;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps every tree this relay takes part in linked upward (ATS-DESIGN section 3). For a tree
 * with local subscribers, children, or unexpired events its own clients published, the parent is the highest-priority root above this relay
 * that is reachable (all roots if this relay is not one); none if this relay is the highest
 * reachable root. Checked every {@code link-check-interval}:
 * <ul>
 * <li>the parent's link dropped, or there is none: move to the best reachable root at once;</li>
 * <li>a higher root is reachable again: move back once its link has been up for
 *     {@code link-hold-down} (longer for a root whose link keeps dropping, see
 *     {@link Uplinks#holdDownMs}), so a flapping root does not flap the tree;</li>
 * <li>higher roots that are down are dialed again every {@code link-retry}.</li>
 * </ul>
 * Moving sends {@code leave} to the old parent and {@code join} to the new one, then the
 * tree's unexpired events: those published while between parents reach the tree after all.
 * Duplicates die at each relay's channel (by event id).
 */
@Component
final class TreeRouter {

    private static final Logger log = LoggerFactory.getLogger(TreeRouter.class);

    private final Channels channels;
    private final DirectoryHolder directory;
    private final Uplinks uplinks;
    private final LinkPeers peers;
    private final Clock clock;
    private final Map<ChannelKey, Link> parents = new ConcurrentHashMap<>();
    private final Counter moves;

    TreeRouter(Channels channels, DirectoryHolder directory, Uplinks uplinks, LinkPeers peers, Clock clock, MeterRegistry meters) {
        this.channels = channels;
        this.directory = directory;
        this.uplinks = uplinks;
        this.peers = peers;
        this.clock = clock;
        this.moves = meters.counter("ats.relay.tree.moves");
        meters.gaugeMapSize("ats.relay.tree.uplinked", List.of(), parents);
    }

    @Scheduled(fixedDelayString = "${ats.relay.link-check-interval:250ms}")
    void route() {
        Optional<Directory> held = directory.newest().map(signed -> signed.directory());
        if (held.isEmpty()) {
            return;
        }
        java.util.Set<ChannelKey> live = channels.keys();
        for (ChannelKey key : live) {
            route(key, held.get());
        }
        // Trees whose channel is gone (swept idle): let go of their parent.
        for (ChannelKey key : parents.keySet()) {
            if (!live.contains(key)) {
                moveTo(key, null);
            }
        }
    }

    private void route(ChannelKey key, Directory held) {
        Link current = parents.get(key);
        if (current != null && !current.open()) {
            current = null;
        }
        if (channels.subscribersExcept(key, current) == 0 && !channels.hasLocalEvents(key)) {
            moveTo(key, null);
            return;
        }
        List<String> roots = held.roots(key.topic(), key.cell());
        int mine = roots.indexOf(peers.myId());
        List<String> above = mine < 0 ? roots : roots.subList(0, mine);

        Link best = null;
        for (String root : above) {
            Optional<Link> link = uplinks.link(root);
            if (link.isPresent()) {
                best = link.get();
                break;
            }
            uplinks.dialIfDue(root);
        }
        if (best == null || best == current) {
            if (best == null && current != null && !above.contains(current.peerId())) {
                moveTo(key, null);
            }
            return;
        }
        boolean higherThanCurrent = current == null || !above.contains(current.peerId())
                || above.indexOf(best.peerId()) < above.indexOf(current.peerId());
        boolean heldDown = current != null && clock.millis() - best.upSinceMs() < uplinks.holdDownMs(best.peerId());
        if (higherThanCurrent && !heldDown) {
            moveTo(key, best);
        }
    }

    private void moveTo(ChannelKey key, Link next) {
        Link previous = next == null ? parents.remove(key) : parents.put(key, next);
        if (previous == next) {
            return;
        }
        if (previous != null && previous.trees().remove(key)) {
            channels.unsubscribe(key, previous);
            if (previous.open()) {
                previous.send(new LinkMessage.Leave(key.topic(), key.cell()));
            }
        }
        if (next != null && next.trees().add(key)) {
            next.send(new LinkMessage.Join(key.topic(), key.cell()));
            // What this relay holds goes up too: publishes made while between parents arrive now.
            next.replay(channels.subscribeLinkWithReplay(key, next));
            moves.increment();
            log.debug("Tree {} moved from parent {} to {}", key, previous == null ? "none" : previous.peerId(), next.peerId());
        }
    }
}
