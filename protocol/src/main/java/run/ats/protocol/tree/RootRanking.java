package run.ats.protocol.tree;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * The roots of a tree by weighted rendezvous hashing (ATS-DESIGN section 3), computed the same
 * way by the directory and by every relay from the signed directory it holds:
 *
 * <pre>
 *   score(r) = w_r / -ln(u),  u = (uint64(first 8 bytes, big-endian, of SHA-256(treeKey + "/" + relayId)) + 1) / 2^64
 * </pre>
 *
 * with the uint64 rounded to the nearest double, {@code ln} from {@link StrictMath} (the same
 * bits on every JVM), the highest score first, ties broken by relay id (ascending). Relays of
 * weight 0 are not eligible. A relay leaving moves only the trees it was root of, and only
 * about w_r / sum(w) of all trees have it as root[0].
 */
public final class RootRanking {

    /** A relay and its quantized weight, as the signed directory lists them. */
    public record Candidate(String relayId, int weight) {
        public Candidate {
            Objects.requireNonNull(relayId, "relayId");
            if (weight < 0) {
                throw new IllegalArgumentException("weight must not be negative: " + weight);
            }
        }
    }

    private static final double TWO_TO_64 = 0x1p64;

    private RootRanking() {
    }

    /** The key of the tree of (tag, cell): {@code tag + "/" + cell}. */
    public static String treeKey(String tag, String cell) {
        return tag + "/" + cell;
    }

    /** The rendezvous score of one relay for one tree; 0 for weight 0. */
    public static double score(String treeKey, String relayId, int weight) {
        return score(sha256(), treeKey, relayId, weight);
    }

    private static double score(MessageDigest sha, String treeKey, String relayId, int weight) {
        if (weight == 0) {
            return 0;
        }
        byte[] hash = sha.digest((treeKey + "/" + relayId).getBytes(StandardCharsets.UTF_8));
        double u = (unsignedToDouble(ByteBuffer.wrap(hash, 0, 8).getLong()) + 1.0) / TWO_TO_64;
        // u is in (0, 1]; at exactly 1 the score is +infinity, which still orders.
        return weight / -StrictMath.log(u);
    }

    /** The top {@code n} eligible relays for {@code treeKey}, highest priority first; fewer if fewer are eligible. */
    public static List<String> roots(String treeKey, Collection<Candidate> candidates, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        if (n == 0) {
            return List.of();
        }
        // Keep the best n in a heap whose head is the worst of them: one pass, no full sort.
        MessageDigest sha = sha256();
        PriorityQueue<Scored> best = new PriorityQueue<>(n + 1, PRIORITY.reversed());
        for (Candidate candidate : candidates) {
            if (candidate.weight() > 0) {
                best.add(new Scored(candidate.relayId(), score(sha, treeKey, candidate.relayId(), candidate.weight())));
                if (best.size() > n) {
                    best.poll();
                }
            }
        }
        List<Scored> top = new ArrayList<>(best);
        top.sort(PRIORITY);
        return top.stream().map(Scored::relayId).toList();
    }

    private record Scored(String relayId, double score) {
    }

    /** Highest score first, then relay id. */
    private static final Comparator<Scored> PRIORITY = Comparator.comparingDouble(Scored::score).reversed().thenComparing(Scored::relayId);

    /** An unsigned 64-bit value, rounded to the nearest double (as any language converting a uint64 does). */
    static double unsignedToDouble(long value) {
        if (value >= 0) {
            return value;
        }
        // Halve (keeping the lowest bit, so that rounding stays correct), convert, double.
        return ((double) ((value >>> 1) | (value & 1))) * 2.0;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
