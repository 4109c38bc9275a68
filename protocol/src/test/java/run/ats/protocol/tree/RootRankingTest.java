package run.ats.protocol.tree;

import org.junit.jupiter.api.Test;
import run.ats.protocol.relay.RelayId;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RootRankingTest {

    @Test
    void agreesWithAnIndependentImplementation() throws IOException {
        JsonNode vectors;
        try (InputStream in = getClass().getResourceAsStream("/vectors/root-ranking.json")) {
            vectors = JsonMapper.builder().build().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        List<RootRanking.Candidate> relays = new ArrayList<>();
        for (JsonNode relay : vectors.get("relays")) {
            relays.add(new RootRanking.Candidate(relay.get("relayId").asString(), relay.get("weight").asInt()));
        }
        int n = vectors.get("n").asInt();
        for (JsonNode tree : vectors.get("trees")) {
            String key = tree.get("treeKey").asString();
            List<String> expected = new ArrayList<>();
            tree.get("roots").forEach(id -> expected.add(id.asString()));
            assertThat(RootRanking.roots(key, relays, n)).as(key).isEqualTo(expected);
            for (RootRanking.Candidate relay : relays) {
                if (relay.weight() > 0) {
                    double theirs = Double.parseDouble(tree.get("scores").get(relay.relayId()).asString());
                    assertThat(RootRanking.score(key, relay.relayId(), relay.weight())).isCloseTo(theirs, within(Math.ulp(theirs) * 4));
                }
            }
        }
    }

    @Test
    void weightZeroIsNeverARootAndShortListsAreShort() {
        List<RootRanking.Candidate> relays = List.of(new RootRanking.Candidate(id(1), 0), new RootRanking.Candidate(id(2), 1));
        assertThat(RootRanking.roots("t/dqcj", relays, 3)).containsExactly(id(2));
        assertThat(RootRanking.roots("t/dqcj", relays, 0)).isEmpty();
        assertThat(RootRanking.roots("t/dqcj", List.of(), 3)).isEmpty();
    }

    @Test
    void theOrderDoesNotDependOnTheInputOrder() {
        List<RootRanking.Candidate> relays = candidates(30, i -> 1 + i % 3);
        List<RootRanking.Candidate> reversed = new ArrayList<>(relays);
        java.util.Collections.reverse(reversed);
        for (int t = 0; t < 200; t++) {
            assertThat(RootRanking.roots("tag" + t + "/dqcj", reversed, 5)).isEqualTo(RootRanking.roots("tag" + t + "/dqcj", relays, 5));
        }
    }

    @Test
    void aRelayLeavingMovesOnlyTheTreesItWasRootOfAboutOnePercent() {
        List<RootRanking.Candidate> relays = candidates(100, i -> 1);
        List<RootRanking.Candidate> without = relays.subList(1, relays.size());
        String leaving = relays.getFirst().relayId();
        int trees = 10_000, moved = 0;
        for (int t = 0; t < trees; t++) {
            String key = "tag" + t + "/dqcj";
            List<String> before = RootRanking.roots(key, relays, 3);
            List<String> after = RootRanking.roots(key, without, 3);
            if (!before.getFirst().equals(after.getFirst())) {
                moved++;
                assertThat(before.getFirst()).isEqualTo(leaving);
                assertThat(after.getFirst()).as("root[1] takes over").isEqualTo(before.get(1));
            } else {
                // Consistency: the others keep their order, the leaving one is just skipped.
                List<String> kept = new ArrayList<>(before);
                kept.remove(leaving);
                assertThat(after).startsWith(kept.toArray(String[]::new));
            }
        }
        assertThat(moved / (double) trees).isBetween(0.005, 0.02);
    }

    @Test
    void weightsShareTheTreesInProportion() {
        // Relay 0 weighs 4, the other 19 weigh 1: it should be root[0] of 4/23 of the trees.
        List<RootRanking.Candidate> relays = candidates(20, i -> i == 0 ? 4 : 1);
        Map<String, Integer> firsts = new HashMap<>();
        int trees = 20_000;
        for (int t = 0; t < trees; t++) {
            firsts.merge(RootRanking.roots("tag" + t + "/u4pr", relays, 1).getFirst(), 1, Integer::sum);
        }
        assertThat(firsts.get(relays.getFirst().relayId()) / (double) trees).isCloseTo(4 / 23.0, within(0.015));
    }

    @Test
    void uint64IsRoundedToTheNearestDouble() {
        long[] values = {0, 1, Long.MAX_VALUE, Long.MIN_VALUE, -1, 0x8000_0000_0000_0401L, 0xFFFF_FFFF_FFFF_F7FFL, 0x1234_5678_9ABC_DEF1L};
        for (long value : values) {
            BigInteger unsigned = new BigInteger(Long.toUnsignedString(value));
            double expected = new BigDecimal(unsigned).doubleValue(); // BigDecimal rounds half-even to double
            assertThat(RootRanking.unsignedToDouble(value)).as(Long.toUnsignedString(value)).isEqualTo(expected);
        }
    }

    private static List<RootRanking.Candidate> candidates(int count, java.util.function.IntUnaryOperator weight) {
        List<RootRanking.Candidate> relays = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            relays.add(new RootRanking.Candidate(id(i), weight.applyAsInt(i)));
        }
        return relays;
    }

    private static String id(int i) {
        try {
            return RelayId.of(MessageDigest.getInstance("SHA-256").digest(("relay-" + i).getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
