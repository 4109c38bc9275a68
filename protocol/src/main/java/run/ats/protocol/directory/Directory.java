package run.ats.protocol.directory;

import run.ats.protocol.tree.RootRanking;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One directory version: a monotonic number, when it was issued, how many roots every tree has
 * ({@code rootsPerTree}, the operator's N), and the relays, sorted by id. Relays and the
 * directory compute the same root lists from it (see {@link RootRanking}).
 */
public record Directory(long version, long issuedAt, int rootsPerTree, List<DirectoryEntry> relays) {

    public static final int MAX_ROOTS_PER_TREE = 16;

    public Directory {
        if (version < 1) {
            throw new IllegalArgumentException("version starts at 1, not " + version);
        }
        if (rootsPerTree < 1 || rootsPerTree > MAX_ROOTS_PER_TREE) {
            throw new IllegalArgumentException("rootsPerTree must be 1.." + MAX_ROOTS_PER_TREE + ", not " + rootsPerTree);
        }
        relays = relays.stream().sorted(Comparator.comparing(DirectoryEntry::relayId)).toList();
        Set<String> ids = new HashSet<>();
        for (DirectoryEntry relay : relays) {
            if (!ids.add(relay.relayId())) {
                throw new IllegalArgumentException("relay " + relay.relayId() + " is listed twice");
            }
        }
    }

    /** The roots of the tree of (tag, cell), highest priority first. */
    public List<String> roots(String tag, String cell) {
        return RootRanking.roots(RootRanking.treeKey(tag, cell), candidates(), rootsPerTree);
    }

    public List<RootRanking.Candidate> candidates() {
        return relays.stream().map(r -> new RootRanking.Candidate(r.relayId(), r.weight())).toList();
    }

    public Optional<DirectoryEntry> relay(String relayId) {
        Objects.requireNonNull(relayId, "relayId");
        return relays.stream().filter(r -> r.relayId().equals(relayId)).findFirst();
    }

    /** Whether two versions say the same thing, whatever their numbers and times. */
    public boolean sameContent(Directory other) {
        return other != null && rootsPerTree == other.rootsPerTree && relays.equals(other.relays);
    }
}
