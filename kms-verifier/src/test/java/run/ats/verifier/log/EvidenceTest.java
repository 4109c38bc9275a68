package run.ats.verifier.log;

import org.junit.jupiter.api.Test;
import run.ats.verifier.testsupport.Keys;
import run.ats.verifier.testsupport.NaiveMerkle;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What an auditor's check of the log's evidence catches: every part tampered with on its own. */
class EvidenceTest {

    private static final String ORIGIN = "ats.run/kms-log";
    private final KeyPair logKey = Keys.ed25519();
    private final String verifierKey = Checkpoint.verifierKey(ORIGIN, logKey.getPublic());
    private final List<byte[]> entries = new ArrayList<>();
    private final Evidence evidence;

    EvidenceTest() {
        for (int i = 0; i < 11; i++) {
            entries.add(("entry " + i).getBytes(StandardCharsets.UTF_8));
        }
        Merkle.Nodes nodes = NaiveMerkle.over(entries);
        String checkpoint = new Checkpoint(ORIGIN, 11, Merkle.root(11, nodes)).sign(ORIGIN, logKey.getPrivate(), logKey.getPublic());
        evidence = Evidence.of(6, 11, entries.get(6), Merkle.inclusionProof(6, 11, nodes), checkpoint);
    }

    @Test
    void honestEvidenceVerifies() {
        assertThat(evidence.verify(verifierKey).size()).isEqualTo(11);
    }

    @Test
    void aCheckpointWithAnotherRootIsRefused() {
        String[] lines = evidence.checkpoint().split("\n", -1);
        byte[] root = Base64.getDecoder().decode(lines[2]);
        root[0] ^= 1;
        lines[2] = Base64.getEncoder().encodeToString(root);
        assertThatThrownBy(() -> with(String.join("\n", lines), evidence.inclusionProof(), evidence.entry(), 11).verify(verifierKey))
                .isInstanceOf(InvalidCheckpointException.class).hasMessageContaining("no valid signature");
    }

    @Test
    void aCheckpointOfAnotherSizeIsRefused() {
        Merkle.Nodes nodes = NaiveMerkle.over(entries);
        String smaller = new Checkpoint(ORIGIN, 10, Merkle.root(10, nodes)).sign(ORIGIN, logKey.getPrivate(), logKey.getPublic());
        assertThatThrownBy(() -> with(smaller, evidence.inclusionProof(), evidence.entry(), 11).verify(verifierKey))
                .isInstanceOf(InvalidCheckpointException.class).hasMessageContaining("size");
    }

    @Test
    void aCheckpointSignedByAnotherKeyIsRefused() {
        KeyPair other = Keys.ed25519();
        Merkle.Nodes nodes = NaiveMerkle.over(entries);
        String forged = new Checkpoint(ORIGIN, 11, Merkle.root(11, nodes)).sign(ORIGIN, other.getPrivate(), other.getPublic());
        assertThatThrownBy(() -> with(forged, evidence.inclusionProof(), evidence.entry(), 11).verify(verifierKey))
                .isInstanceOf(InvalidCheckpointException.class);
    }

    @Test
    void aChangedProofOrEntryIsRefused() {
        List<String> proof = new ArrayList<>(evidence.inclusionProof());
        byte[] first = Base64.getDecoder().decode(proof.getFirst());
        first[31] ^= 1;
        proof.set(0, Base64.getEncoder().encodeToString(first));
        assertThatThrownBy(() -> with(evidence.checkpoint(), proof, evidence.entry(), 11).verify(verifierKey))
                .isInstanceOf(InvalidCheckpointException.class).hasMessageContaining("inclusion proof");
        String otherEntry = Base64.getEncoder().encodeToString("entry 7".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> with(evidence.checkpoint(), evidence.inclusionProof(), otherEntry, 11).verify(verifierKey))
                .isInstanceOf(InvalidCheckpointException.class).hasMessageContaining("inclusion proof");
    }

    private Evidence with(String checkpoint, List<String> proof, String entry, long treeSize) {
        return new Evidence(evidence.leafIndex(), treeSize, entry, proof, checkpoint);
    }
}
