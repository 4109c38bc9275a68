package run.ats.verifier.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import run.ats.verifier.testsupport.NaiveMerkle;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proof verification against the transparency-dev/merkle test vectors (tlog-vectors/, each
 * negative case named upstream for what it corrupts), and root and proof generation against
 * the RFC 6962 known answers (vectors/merkle-rfc6962.json).
 */
class MerkleVectorsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static Stream<Arguments> inclusionVectors() throws IOException, URISyntaxException {
        return vectors("inclusion");
    }

    static Stream<Arguments> consistencyVectors() throws IOException, URISyntaxException {
        return vectors("consistency");
    }

    @ParameterizedTest(name = "inclusion/{0}")
    @MethodSource("inclusionVectors")
    void inclusionVector(String name, JsonNode vector) {
        // Older upstream revisions call the index leafIndex; some indexes are 2^64 - 1, beyond a long.
        JsonNode index = vector.has("leafIdx") ? vector.get("leafIdx") : vector.get("leafIndex");
        boolean verified = fitsLong(index) && fitsLong(vector.get("treeSize"))
                && Merkle.verifyInclusion(index.asLong(), vector.get("treeSize").asLong(), hash(vector.get("leafHash")),
                proof(vector.get("proof")), hash(vector.get("root")));
        assertThat(verified).as(vector.get("desc").asString()).isEqualTo(!vector.get("wantErr").asBoolean());
    }

    @ParameterizedTest(name = "consistency/{0}")
    @MethodSource("consistencyVectors")
    void consistencyVector(String name, JsonNode vector) {
        boolean verified = fitsLong(vector.get("size1")) && fitsLong(vector.get("size2"))
                && Merkle.verifyConsistency(vector.get("size1").asLong(), vector.get("size2").asLong(), hash(vector.get("root1")),
                hash(vector.get("root2")), proof(vector.get("proof")));
        assertThat(verified).as(vector.get("desc").asString()).isEqualTo(!vector.get("wantErr").asBoolean());
    }

    @Test
    void rootsAndProofsMatchRfc6962KnownAnswers() throws IOException {
        JsonNode known = JSON.readTree(MerkleVectorsTest.class.getResourceAsStream("/vectors/merkle-rfc6962.json"));
        List<byte[]> leaves = new ArrayList<>();
        known.get("leaves_hex").forEach(leaf -> leaves.add(HexFormat.of().parseHex(leaf.asString())));
        Merkle.Nodes nodes = NaiveMerkle.over(leaves);
        for (Map.Entry<String, JsonNode> root : known.get("roots_by_size").properties()) {
            assertThat(hex(Merkle.root(Long.parseLong(root.getKey()), nodes))).as("root of size " + root.getKey())
                    .isEqualTo(root.getValue().asString());
        }
        for (JsonNode inclusion : known.get("inclusion")) {
            long index = inclusion.get("index").asLong();
            long size = inclusion.get("size").asLong();
            List<String> proof = Merkle.inclusionProof(index, size, nodes).stream().map(MerkleVectorsTest::hex).toList();
            assertThat(proof).as("inclusion %d in %d", index, size).isEqualTo(strings(inclusion.get("proof")));
            assertThat(Merkle.verifyInclusion(index, size, Merkle.leafHash(leaves.get((int) index)), hexes(inclusion.get("proof")),
                    HexFormat.of().parseHex(known.get("roots_by_size").get(Long.toString(size)).asString()))).isTrue();
        }
        for (JsonNode consistency : known.get("consistency")) {
            long from = consistency.get("from").asLong();
            long to = consistency.get("to").asLong();
            List<String> proof = Merkle.consistencyProof(from, to, nodes).stream().map(MerkleVectorsTest::hex).toList();
            assertThat(proof).as("consistency %d to %d", from, to).isEqualTo(strings(consistency.get("proof")));
        }
    }

    /** Every proof the generator makes for trees up to 70 leaves verifies, and a proof for another leaf does not. */
    @Test
    void everyGeneratedProofVerifies() {
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            leaves.add(("leaf " + i).getBytes());
        }
        Merkle.Nodes nodes = NaiveMerkle.over(leaves);
        for (long size = 1; size <= leaves.size(); size++) {
            byte[] root = Merkle.root(size, nodes);
            for (long index = 0; index < size; index++) {
                List<byte[]> proof = Merkle.inclusionProof(index, size, nodes);
                assertThat(Merkle.verifyInclusion(index, size, Merkle.leafHash(leaves.get((int) index)), proof, root)).isTrue();
                if (size > 1) {
                    long other = (index + 1) % size;
                    assertThat(Merkle.verifyInclusion(other, size, Merkle.leafHash(leaves.get((int) index)), proof, root)).isFalse();
                }
            }
            for (long from = 0; from <= size; from++) {
                List<byte[]> proof = Merkle.consistencyProof(from, size, nodes);
                byte[] fromRoot = Merkle.root(from, nodes);
                assertThat(Merkle.verifyConsistency(from, size, fromRoot, root, proof)).as("%d to %d", from, size).isTrue();
                if (from > 0 && from < size) {
                    assertThat(Merkle.verifyConsistency(from, size, Merkle.root(from - 1, nodes), root, proof)).isFalse();
                }
            }
        }
    }

    private static Stream<Arguments> vectors(String kind) throws IOException, URISyntaxException {
        Path root = Path.of(MerkleVectorsTest.class.getResource("/tlog-vectors/" + kind).toURI());
        try (Stream<Path> files = Files.walk(root)) {
            List<Arguments> cases = new ArrayList<>();
            for (Path file : files.filter(path -> path.toString().endsWith(".json")).sorted().toList()) {
                cases.add(Arguments.of(root.relativize(file).toString(), JSON.readTree(file.toFile())));
            }
            assertThat(cases).hasSizeGreaterThan(40);
            return cases.stream();
        }
    }

    private static boolean fitsLong(JsonNode number) {
        return number.isIntegralNumber() && number.bigIntegerValue().compareTo(BigInteger.valueOf(Long.MAX_VALUE)) <= 0
                && number.bigIntegerValue().signum() >= 0;
    }

    private static byte[] hash(JsonNode base64) {
        return base64 == null || base64.isNull() ? new byte[0] : Base64.getDecoder().decode(base64.asString());
    }

    private static List<byte[]> proof(JsonNode proof) {
        List<byte[]> hashes = new ArrayList<>();
        if (proof != null && !proof.isNull()) {
            proof.forEach(hash -> hashes.add(Base64.getDecoder().decode(hash.asString())));
        }
        return hashes;
    }

    private static List<byte[]> hexes(JsonNode proof) {
        List<byte[]> hashes = new ArrayList<>();
        proof.forEach(hash -> hashes.add(HexFormat.of().parseHex(hash.asString())));
        return hashes;
    }

    private static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        array.forEach(item -> strings.add(item.asString()));
        return strings;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
