package run.ats.bench;

import run.ats.protocol.relay.RelayId;
import run.ats.protocol.tree.RootRanking;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Root ranking (weighted rendezvous hashing) as every relay and the directory compute it:
 * the cost of ranking R relays for one tree, against the direct path (one SHA-256 of the same
 * input per relay, the floor any rendezvous scheme pays); and the share of trees whose root[0]
 * changes when one of 100 equal relays leaves (ideal: 1 %).
 *
 * <p>Usage: {@code RankingBench [relays=10000] [trees=1000] [churnTrees=100000]}.
 */
public final class RankingBench {

    public static void main(String[] args) throws Exception {
        int relayCount = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int trees = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int churnTrees = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;

        List<RootRanking.Candidate> relays = candidates(relayCount);
        // Warm up both paths.
        rank(relays, 200, "warm");
        hashOnly(relays, 200, "warm");
        double rankNanos = rank(relays, trees, "tree");
        double hashNanos = hashOnly(relays, trees, "tree");
        System.out.printf(Locale.ROOT, "ranking %d relays for one tree: %.2f ms; SHA-256 floor %.2f ms; ratio %.2f%n",
                relayCount, rankNanos / 1e6, hashNanos / 1e6, rankNanos / hashNanos);
        System.out.printf(Locale.ROOT, "100,000 trees x %d relays on one core: %.0f s (extrapolated from %d trees)%n",
                relayCount, rankNanos * 100_000 / 1e9, trees);

        List<RootRanking.Candidate> hundred = candidates(100);
        List<RootRanking.Candidate> ninetyNine = hundred.subList(1, hundred.size());
        int moved = 0;
        for (int t = 0; t < churnTrees; t++) {
            String key = RootRanking.treeKey("churn" + t, "dqcj");
            if (!RootRanking.roots(key, hundred, 1).equals(RootRanking.roots(key, ninetyNine, 1))) {
                moved++;
            }
        }
        System.out.printf(Locale.ROOT, "one of 100 relays leaves: root[0] changes for %d of %d trees (%.2f %%; ideal 1 %%)%n",
                moved, churnTrees, 100.0 * moved / churnTrees);
    }

    private static double rank(List<RootRanking.Candidate> relays, int trees, String prefix) {
        long start = System.nanoTime();
        long sink = 0;
        for (int t = 0; t < trees; t++) {
            sink += RootRanking.roots(RootRanking.treeKey(prefix + t, "dqcj"), relays, 3).getFirst().length();
        }
        blackhole(sink);
        return (System.nanoTime() - start) / (double) trees;
    }

    private static double hashOnly(List<RootRanking.Candidate> relays, int trees, String prefix) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long start = System.nanoTime();
        long sink = 0;
        for (int t = 0; t < trees; t++) {
            String key = RootRanking.treeKey(prefix + t, "dqcj");
            for (RootRanking.Candidate relay : relays) {
                sink += sha.digest((key + "/" + relay.relayId()).getBytes(StandardCharsets.UTF_8))[0];
            }
        }
        blackhole(sink);
        return (System.nanoTime() - start) / (double) trees;
    }

    private static List<RootRanking.Candidate> candidates(int count) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        List<RootRanking.Candidate> relays = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            relays.add(new RootRanking.Candidate(RelayId.of(sha.digest(("bench-relay-" + i).getBytes(StandardCharsets.UTF_8))), 4));
        }
        return relays;
    }

    private static void blackhole(long value) {
        if (value == 42) {
            System.out.print("");
        }
    }
}
