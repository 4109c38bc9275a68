package run.ats.verifier.log;

import java.util.Base64;
import java.util.List;

/**
 * What lets anyone check, offline, that an entry is in the log: the entry's exact bytes, its
 * inclusion proof, and the signed checkpoint of the size the proof is for. Hashes and the entry
 * are standard base64.
 */
public record Evidence(long leafIndex, long treeSize, String entry, List<String> inclusionProof, String checkpoint) {

    static Evidence of(long leafIndex, long treeSize, byte[] entry, List<byte[]> proof, String checkpoint) {
        Base64.Encoder base64 = Base64.getEncoder();
        return new Evidence(leafIndex, treeSize, base64.encodeToString(entry), proof.stream().map(base64::encodeToString).toList(),
                checkpoint);
    }

    /** Checks this evidence against the log's pinned verifier key: the checkpoint, then the proof. */
    public Checkpoint verify(String verifierKey) {
        Checkpoint checkpoint = Checkpoint.verify(this.checkpoint, verifierKey);
        if (checkpoint.size() != treeSize) {
            throw new InvalidCheckpointException("the proof is for size " + treeSize + ", the checkpoint for " + checkpoint.size());
        }
        Base64.Decoder base64 = Base64.getDecoder();
        List<byte[]> proof = inclusionProof.stream().map(base64::decode).toList();
        if (!Merkle.verifyInclusion(leafIndex, treeSize, Merkle.leafHash(base64.decode(entry)), proof, checkpoint.root())) {
            throw new InvalidCheckpointException("the inclusion proof of entry " + leafIndex + " does not lead to the checkpoint's root");
        }
        return checkpoint;
    }
}
