package run.ats.verifier.testsupport;

import run.ats.verifier.log.Merkle;

import java.util.List;

/** Subtree hashes computed straight from RFC 9162's definition of MTH, to test the log against. */
public final class NaiveMerkle {

    private NaiveMerkle() {
    }

    public static Merkle.Nodes over(List<byte[]> leaves) {
        return (level, index) -> mth(leaves, index << level, (index + 1) << level);
    }

    private static byte[] mth(List<byte[]> leaves, long lo, long hi) {
        if (hi - lo == 1) {
            return Merkle.leafHash(leaves.get((int) lo));
        }
        long k = Long.highestOneBit(hi - lo - 1);
        return Merkle.nodeHash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
    }
}
