package run.ats.verifier.log;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 9162 (RFC 6962) Merkle tree hashing, proof generation and proof verification.
 *
 * <p>Generation reads the hashes of perfect subtrees from a {@link Nodes} source, so the log
 * stores each subtree once and any proof for any size needs at most about 2 log2(n) of them.
 * Verification needs nothing but the proof, so auditors can run it on their own machines.
 */
public final class Merkle {

    public static final int HASH_LENGTH = 32;

    private Merkle() {
    }

    /** The hash of a perfect subtree: {@code level} 0 is a leaf, covering leaves [index * 2^level, (index+1) * 2^level). */
    @FunctionalInterface
    public interface Nodes {
        byte[] node(int level, long index);
    }

    public static byte[] emptyRoot() {
        return sha256().digest();
    }

    public static byte[] leafHash(byte[] data) {
        MessageDigest digest = sha256();
        digest.update((byte) 0x00);
        return digest.digest(data);
    }

    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest digest = sha256();
        digest.update((byte) 0x01);
        digest.update(left);
        return digest.digest(right);
    }

    /** MTH(D[0:size]). */
    public static byte[] root(long size, Nodes nodes) {
        return size == 0 ? emptyRoot() : hash(0, size, nodes);
    }

    /** PATH(index, D[0:size]), leaf to root. */
    public static List<byte[]> inclusionProof(long index, long size, Nodes nodes) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("leaf " + index + " is not in a tree of size " + size);
        }
        List<byte[]> proof = new ArrayList<>();
        path(index, 0, size, nodes, proof);
        return proof;
    }

    /** PROOF(from, D[0:to]); empty when {@code from} is 0 or equals {@code to}. */
    public static List<byte[]> consistencyProof(long from, long to, Nodes nodes) {
        if (from < 0 || from > to) {
            throw new IllegalArgumentException("no consistency proof from size " + from + " to size " + to);
        }
        List<byte[]> proof = new ArrayList<>();
        if (from > 0 && from < to) {
            subproof(from, 0, to, true, nodes, proof);
        }
        return proof;
    }

    /**
     * The perfect subtrees whose hashes make up the tree of {@code size} leaves, left to right:
     * what an append needs to hash its new leaves in.
     */
    public static List<long[]> compactRange(long size) {
        List<long[]> range = new ArrayList<>();
        long start = 0;
        for (int level = 63; level >= 0; level--) {
            if ((size & (1L << level)) != 0) {
                range.add(new long[]{level, start >> level});
                start += 1L << level;
            }
        }
        return range;
    }

    /** MTH(D[lo:hi]) where [lo, hi) is one of the ranges RFC 9162's recursion visits. */
    private static byte[] hash(long lo, long hi, Nodes nodes) {
        long n = hi - lo;
        if (Long.bitCount(n) == 1) {
            int level = Long.numberOfTrailingZeros(n);
            return nodes.node(level, lo >> level);
        }
        long k = Long.highestOneBit(n - 1);
        return nodeHash(hash(lo, lo + k, nodes), hash(lo + k, hi, nodes));
    }

    private static void path(long m, long lo, long hi, Nodes nodes, List<byte[]> proof) {
        long n = hi - lo;
        if (n == 1) {
            return;
        }
        long k = Long.highestOneBit(n - 1);
        if (m < k) {
            path(m, lo, lo + k, nodes, proof);
            proof.add(hash(lo + k, hi, nodes));
        } else {
            path(m - k, lo + k, hi, nodes, proof);
            proof.add(hash(lo, lo + k, nodes));
        }
    }

    private static void subproof(long m, long lo, long hi, boolean whole, Nodes nodes, List<byte[]> proof) {
        long n = hi - lo;
        if (m == n) {
            if (!whole) {
                proof.add(hash(lo, hi, nodes));
            }
            return;
        }
        long k = Long.highestOneBit(n - 1);
        if (m <= k) {
            subproof(m, lo, lo + k, whole, nodes, proof);
            proof.add(hash(lo + k, hi, nodes));
        } else {
            subproof(m - k, lo + k, hi, false, nodes, proof);
            proof.add(hash(lo, lo + k, nodes));
        }
    }

    /** RFC 9162 section 2.1.3.2: does {@code proof} put {@code leafHash} at {@code index} under {@code root}? */
    public static boolean verifyInclusion(long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
        if (index < 0 || index >= size || !wellFormed(leafHash, proof, root)) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    /** RFC 9162 section 2.1.4.2: is the tree {@code toRoot} of {@code to} leaves an extension of {@code fromRoot}? */
    public static boolean verifyConsistency(long from, long to, byte[] fromRoot, byte[] toRoot, List<byte[]> proof) {
        if (from < 0 || from > to || !wellFormed(fromRoot, proof, toRoot)) {
            return false;
        }
        if (from == to) {
            return proof.isEmpty() && MessageDigest.isEqual(fromRoot, toRoot);
        }
        if (from == 0) {
            // The empty tree is a prefix of every tree; there is nothing to prove.
            return proof.isEmpty();
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = new ArrayList<>(proof.size() + 1);
        if (Long.bitCount(from) == 1) {
            path.add(fromRoot);
        }
        path.addAll(proof);
        long fn = from - 1;
        long sn = to - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.getFirst();
        byte[] sr = path.getFirst();
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(c, fr);
                sr = nodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, fromRoot) && MessageDigest.isEqual(sr, toRoot);
    }

    private static boolean wellFormed(byte[] first, List<byte[]> proof, byte[] last) {
        if (first == null || first.length != HASH_LENGTH || last == null || last.length != HASH_LENGTH || proof == null) {
            return false;
        }
        return proof.stream().allMatch(p -> p != null && p.length == HASH_LENGTH);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
