package run.ats.verifier.log;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import run.ats.verifier.testsupport.NaiveMerkle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of the log's proofs, for every tree size up to 64 and sizes up to 1,000 from a fixed
 * seed: every inclusion proof (each index) and every consistency proof (each older size) verifies
 * against roots computed straight from RFC 9162's definition; any one flipped bit, a wrong index,
 * a wrong leaf, a proof one element short or long, or the wrong root fails.
 */
class MerklePropertiesTest {

    static IntStream sizes() {
        Random random = new Random(9162);
        return IntStream.concat(IntStream.rangeClosed(1, 64), random.ints(6, 65, 1000));
    }

    @ParameterizedTest(name = "size {0}")
    @MethodSource("sizes")
    void everyInclusionProofVerifiesAndNoTamperedOneDoes(int size) {
        List<byte[]> leaves = leaves(size);
        Merkle.Nodes nodes = NaiveMerkle.over(leaves);
        byte[] root = Merkle.root(size, nodes);
        Random random = new Random(size);
        for (long index : indexes(size, random)) {
            byte[] leaf = Merkle.leafHash(leaves.get((int) index));
            List<byte[]> proof = Merkle.inclusionProof(index, size, nodes);
            assertThat(Merkle.verifyInclusion(index, size, leaf, proof, root)).as("index %d of %d", index, size).isTrue();

            if (!proof.isEmpty()) {
                assertThat(Merkle.verifyInclusion(index, size, leaf, flipOneBit(proof, random), root)).isFalse();
            }
            assertThat(Merkle.verifyInclusion(index, size, leaf, proof, flipOneBit(List.of(root), random).getFirst())).isFalse();
            assertThat(Merkle.verifyInclusion(index, size, Merkle.leafHash(new byte[]{1}), proof, root)).isFalse();
            if (size > 1) {
                long other = (index + 1 + random.nextInt(size - 1)) % size;
                assertThat(Merkle.verifyInclusion(other, size, leaf, proof, root)).as("index %d claimed as %d", index, other).isFalse();
            }
            assertThat(Merkle.verifyInclusion(index, size, leaf, longer(proof, random), root)).isFalse();
            if (!proof.isEmpty()) {
                assertThat(Merkle.verifyInclusion(index, size, leaf, proof.subList(0, proof.size() - 1), root)).isFalse();
            }
        }
    }

    @ParameterizedTest(name = "size {0}")
    @MethodSource("sizes")
    void everyConsistencyProofVerifiesAndNoTamperedOneDoes(int size) {
        Merkle.Nodes nodes = NaiveMerkle.over(leaves(size));
        byte[] root = Merkle.root(size, nodes);
        Random random = new Random(size);
        for (long from : indexes(size, random)) {
            long older = from + 1;
            byte[] olderRoot = Merkle.root(older, nodes);
            List<byte[]> proof = Merkle.consistencyProof(older, size, nodes);
            assertThat(Merkle.verifyConsistency(older, size, olderRoot, root, proof)).as("%d to %d", older, size).isTrue();

            if (!proof.isEmpty()) {
                assertThat(Merkle.verifyConsistency(older, size, olderRoot, root, flipOneBit(proof, random))).isFalse();
                assertThat(Merkle.verifyConsistency(older, size, olderRoot, root, proof.subList(0, proof.size() - 1))).isFalse();
            }
            assertThat(Merkle.verifyConsistency(older, size, olderRoot, root, longer(proof, random))).isFalse();
            assertThat(Merkle.verifyConsistency(older, size, flipOneBit(List.of(olderRoot), random).getFirst(), root, proof)).isFalse();
            assertThat(Merkle.verifyConsistency(older, size, olderRoot, flipOneBit(List.of(root), random).getFirst(), proof)).isFalse();
        }
    }

    /** Every index for small trees; the ends and a few from the middle for large ones. */
    private static List<Long> indexes(int size, Random random) {
        List<Long> indexes = new ArrayList<>();
        if (size <= 64) {
            for (long i = 0; i < size; i++) {
                indexes.add(i);
            }
        } else {
            indexes.addAll(List.of(0L, (long) size - 1));
            random.longs(20, 0, size).forEach(indexes::add);
        }
        return indexes;
    }

    private static List<byte[]> leaves(int size) {
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            leaves.add(("leaf " + i).getBytes(StandardCharsets.UTF_8));
        }
        return leaves;
    }

    private static List<byte[]> flipOneBit(List<byte[]> hashes, Random random) {
        List<byte[]> copy = new ArrayList<>();
        hashes.forEach(hash -> copy.add(hash.clone()));
        if (!copy.isEmpty()) {
            byte[] hash = copy.get(random.nextInt(copy.size()));
            hash[random.nextInt(hash.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return copy;
    }

    private static List<byte[]> longer(List<byte[]> proof, Random random) {
        List<byte[]> copy = new ArrayList<>(proof);
        byte[] extra = new byte[Merkle.HASH_LENGTH];
        random.nextBytes(extra);
        copy.add(random.nextInt(copy.size() + 1), extra);
        return copy;
    }
}
