package run.ats.bench;

import run.ats.protocol.directory.Directory;
import run.ats.protocol.topic.TopicTag;
import run.ats.testkit.PingClient;
import run.ats.testkit.Suite;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Failover and healing of one tree with the real jars: the directory, the main server and
 * three claimed relays as processes. A subscriber on one relay, a publisher on another, root[0]
 * on the third, serving nobody directly. Each trial publishes every 10 ms, kills root[0]
 * (SIGKILL), and measures the time until the first event published after the kill reaches
 * the subscriber (the tree relinked end to end); then restarts root[0] and measures the time
 * from its readiness until both members are linked back to it. Lost and duplicated events are
 * counted over every trial. Mode {@code kill} ends root[0] with SIGKILL (its sockets are reset
 * at once); mode {@code hang} freezes it with SIGSTOP (its sockets stay open and silent, as on
 * a hung machine or a cut cable), so only the link keep-alive can notice, and kills it after.
 * Each trial is one independent failure: route-flap damping is off ({@code link-flap-window=0s}),
 * or twenty deaths of one root would be damped as the flapping they are.
 *
 * <p>Needs PostgreSQL as the tests do ({@code ATS_TEST_POSTGRES_URL}). Usage:
 * {@code FailoverBench [trials=20] [kill|hang]}.
 */
public final class FailoverBench {

    private static final String CELL = "dqcj";
    private static final Duration PUBLISH_EVERY = Duration.ofMillis(10);

    public static void main(String[] args) throws Exception {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        boolean hang = args.length > 1 && args[1].equals("hang");
        try (Suite suite = new Suite()) {
            suite.relaySettings.add("--ats.relay.link-flap-window=0s");
            List<Suite.Relay> relays = suite.claimedRelays(3);
            Directory directory = suite.awaitDirectory(suite.directory.url() + "/v1/directory", d -> d.relays().size() == 3, Duration.ofSeconds(10));
            Suite.Relay root = relays.get(2);
            String tag = null;
            for (int i = 0; tag == null; i++) {
                String candidate = TopicTag.of("failover-" + i);
                if (directory.roots(candidate, CELL).getFirst().equals(root.id)) {
                    tag = candidate;
                }
            }
            List<Double> failoverMs = new ArrayList<>();
            List<Double> healMs = new ArrayList<>();
            long published = 0, lost = 0, duplicated = 0;
            try (PingClient subscriber = new PingClient(relays.get(0).ws(), suite.relayToken()).subscribe(tag, CELL);
                 PingClient publisher = new PingClient(relays.get(1).ws(), suite.relayToken())) {
                // The publisher's relay joins the tree once it holds an event of its own.
                String warmUp = UUID.randomUUID().toString().replace("-", "");
                publisher.publish(tag, CELL, warmUp);
                subscriber.awaitAll(List.of(warmUp), Duration.ofSeconds(10));
                for (int trial = 1; trial <= trials; trial++) {
                    awaitChildren(suite, root, 2, Duration.ofSeconds(30));
                    List<String> ids = new ArrayList<>();
                    // Steady publishing, root[0] killed a quarter of the way in.
                    long killedAt = 0;
                    String firstAfterKill = null;
                    for (int i = 0; i < 200; i++) {
                        if (i == 50) {
                            killedAt = System.nanoTime();
                            if (hang) {
                                root.process.pause();
                            } else {
                                suite.kill(root);
                            }
                        }
                        String id = UUID.randomUUID().toString().replace("-", "");
                        ids.add(id);
                        publisher.publish(tag, CELL, id);
                        if (killedAt != 0 && firstAfterKill == null) {
                            firstAfterKill = id;
                        }
                        Thread.sleep(PUBLISH_EVERY.toMillis());
                    }
                    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (!subscriber.events.containsKey(firstAfterKill) && System.nanoTime() < deadline) {
                        Thread.sleep(1);
                    }
                    double failover = subscriber.arrivalNanos(firstAfterKill) == 0 ? Double.NaN
                            : (subscriber.arrivalNanos(firstAfterKill) - killedAt) / 1e6;
                    List<String> missing = new ArrayList<>(subscriber.awaitAll(ids, Duration.ofSeconds(10)));
                    published += ids.size();
                    lost += missing.size();

                    // Root[0] returns; the tree heals back to it after the hold-down.
                    if (hang) {
                        suite.kill(root);
                    }
                    suite.start(root);
                    long ready = System.nanoTime();
                    awaitChildren(suite, root, 2, Duration.ofSeconds(30));
                    double heal = (System.nanoTime() - ready) / 1e6;
                    failoverMs.add(failover);
                    healMs.add(heal);
                    System.err.printf(Locale.ROOT, "trial %d: failover %.0f ms, healed %.0f ms after root[0] was ready, lost %d%n",
                            trial, failover, heal, missing.size());
                }
                duplicated = subscriber.duplicates().size();
            }
            System.out.printf(Locale.ROOT, "%s, %d trials: failover p50 %.0f ms, max %.0f ms; heal p50 %.0f ms, max %.0f ms; "
                            + "%d events published, %d lost, %d duplicated%n",
                    hang ? "hang" : "kill", trials, percentile(failoverMs, 0.5), percentile(failoverMs, 1.0), percentile(healMs, 0.5), percentile(healMs, 1.0),
                    published, lost, duplicated);
        }
    }

    private static void awaitChildren(Suite suite, Suite.Relay root, int children, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (suite.metric(root, "ats_relay_tree_children") < children) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("root[0] never got " + children + " children back");
            }
            Thread.sleep(20);
        }
    }

    private static double percentile(List<Double> values, double q) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
    }
}
