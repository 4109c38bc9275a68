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
        if (weight == 0) {
            return 0;
        }
        byte[] hash = sha256().digest((treeKey + "/" + relayId).getBytes(StandardCharsets.UTF_8));
        double u = (unsignedToDouble(ByteBuffer.wrap(hash, 0, 8).getLong()) + 1.0) / TWO_TO_64;
        // u is in (0, 1]; at exactly 1 the score is +infinity, which still orders.
        return weight / -StrictMath.log(u);
    }

    /** The top {@code n} eligible relays for {@code treeKey}, highest priority first; fewer if fewer are eligible. */
    public static List<String> roots(String treeKey, Collection<Candidate> candidates, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        record Scored(String relayId, double score) {
        }
        List<Scored> scored = new ArrayList<>(candidates.size());
        for (Candidate candidate : candidates) {
            if (candidate.weight() > 0) {
                scored.add(new Scored(candidate.relayId(), score(treeKey, candidate.relayId(), candidate.weight())));
            }
        }
        scored.sort(Comparator.comparingDouble(Scored::score).reversed().thenComparing(Scored::relayId));
        return scored.stream().limit(n).map(Scored::relayId).toList();
    }

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
