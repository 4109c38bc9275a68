package run.ats.bench;

import run.ats.protocol.relay.RelayId;
import run.ats.protocol.tree.RootRanking;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What it costs to grind a relay key into the roots of a chosen tree (docs/root-capture.md):
 * <ol>
 * <li>the grinding rate on one thread: a JDK Ed25519 key pair, its relay id and its rendezvous
 * score for the tree, per second; and the hashing alone (relay id and score), the rate a grinder
 * reaches once keys come cheaply (point addition instead of fresh key pairs, as vanity-key tools do);</li>
 * <li>with the real {@link RootRanking}, the tries until a fresh key outranks every one of R
 * honest relays (weight 4, healthy) for a chosen tree, as a new relay (weight 2) and as a healthy
 * one (weight 4): median, 90th percentile and worst over many trees, against W / w (the honest
 * weight over the grinder's).</li>
 * </ol>
 *
 * <p>Usage: {@code RootGrindBench [seconds=4] [trees=200]}.
 */
public final class RootGrindBench {

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int trees = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        String tree = RootRanking.treeKey("tEitVHIzQk6ySa64HU4pR4", "dqcj");

        // Rate: key pair + id + score, then the hashes alone. A first short round warms the JIT.
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        keyRate(generator, tree, 1);
        System.out.printf(Locale.ROOT, "Ed25519 key pair + relay id + score, 1 thread: %.0f keys/s%n", keyRate(generator, tree, seconds));
        hashRate(tree, 1);
        System.out.printf(Locale.ROOT, "relay id + score hashes alone, 1 thread: %.0f keys/s%n", hashRate(tree, seconds));

        // Tries, with the real ranking. Random bytes stand for public keys: the id hashes them the same way.
        Random random = new Random(18);
        for (int honestCount : new int[]{10, 100, 1000}) {
            List<RootRanking.Candidate> honest = new ArrayList<>();
            for (int i = 0; i < honestCount; i++) {
                honest.add(new RootRanking.Candidate(RelayId.of(bytes(random)), 4));
            }
            for (int weight : new int[]{2, 4}) {
                long[] tries = new long[trees];
                for (int t = 0; t < trees; t++) {
                    String target = RootRanking.treeKey("tag" + t, "dqcj");
                    double bar = RootRanking.score(target, RootRanking.roots(target, honest, 1).getFirst(), 4);
                    long n = 0;
                    do {
                        n++;
                    } while (RootRanking.score(target, RelayId.of(bytes(random)), weight) <= bar);
                    tries[t] = n;
                }
                Arrays.sort(tries);
                System.out.printf(Locale.ROOT, "R=%d honest relays (w=4), grinder w=%d: tries to take root[0] of a chosen tree, over %d trees: "
                        + "median %d, p90 %d, worst %d (W/w = %d)%n",
                        honestCount, weight, trees, tries[trees / 2], tries[trees * 9 / 10], tries[trees - 1], 4 * honestCount / weight);
            }
        }
    }

    private static double keyRate(KeyPairGenerator generator, String tree, int seconds) {
        long n = 0;
        double sink = 0;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            KeyPair pair = generator.generateKeyPair();
            sink += RootRanking.score(tree, RelayId.of(pair.getPublic()), 4);
            n++;
        }
        blackhole(sink);
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static double hashRate(String tree, int seconds) {
        byte[] key = new byte[32];
        long n = 0;
        double sink = 0;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            key[0] = (byte) n;
            key[1] = (byte) (n >> 8);
            key[2] = (byte) (n >> 16);
            key[3] = (byte) (n >> 24);
            sink += RootRanking.score(tree, RelayId.of(key), 4);
            n++;
        }
        blackhole(sink);
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static byte[] bytes(Random random) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return key;
    }

    private static void blackhole(double value) {
        if (value == 42.4242) {
            System.out.println("unlikely");
        }
    }
}
