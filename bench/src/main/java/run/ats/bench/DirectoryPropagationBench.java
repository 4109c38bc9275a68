package run.ats.bench;

import run.ats.testkit.Suite;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a new directory version takes to reach every relay: the directory, the main server
 * and R claimed relays (real jars, one machine); the operator changes N, and the delay is read
 * from the logs' own timestamps (same clock): from the directory's "Issued directory version V"
 * to each relay's "Holding directory version V".
 *
 * <p>Needs PostgreSQL as the tests do ({@code ATS_TEST_POSTGRES_URL}). Usage:
 * {@code DirectoryPropagationBench [relays=50] [versions=5]}.
 */
public final class DirectoryPropagationBench {

    public static void main(String[] args) throws Exception {
        int relayCount = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int versions = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (Suite suite = new Suite()) {
            // Fifty relays share two cores here: heartbeats at a production pace.
            suite.relayHeartbeat = "5s";
            List<Suite.Relay> relays = suite.claimedRelays(relayCount);
            System.err.printf(Locale.ROOT, "%d relays claimed and weighted%n", relays.size());
            List<Double> all = new ArrayList<>();
            List<Double> slowest = new ArrayList<>();
            for (int v = 0; v < versions; v++) {
                long before = version(suite.directory.output(), "Issued directory version (\\d+)");
                suite.setRootsPerTree(v % 2 == 0 ? 4 : 3);
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                long issued;
                while ((issued = version(suite.directory.output(), "Issued directory version (\\d+)")) == before) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("no new version issued");
                    }
                    Thread.sleep(20);
                }
                Instant issuedAt = timeOf(suite.directory.output(), "Issued directory version " + issued + " ");
                List<Double> delays = new ArrayList<>();
                for (Suite.Relay relay : relays) {
                    Instant heldAt;
                    while ((heldAt = timeOf(relay.process.output(), "Holding directory version " + issued + " ")) == null) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException(relay.name + " never held version " + issued);
                        }
                        Thread.sleep(20);
                    }
                    delays.add(Duration.between(issuedAt, heldAt).toNanos() / 1e6);
                }
                Collections.sort(delays);
                all.addAll(delays);
                slowest.add(delays.getLast());
                System.err.printf(Locale.ROOT, "version %d: p50 %.0f ms, last relay %.0f ms%n", issued, delays.get(delays.size() / 2), delays.getLast());
            }
            Collections.sort(all);
            Collections.sort(slowest);
            System.out.printf(Locale.ROOT, "%d versions to %d relays: per relay p50 %.0f ms, p99 %.0f ms; all relays reached: median %.0f ms, worst %.0f ms%n",
                    versions, relayCount, all.get(all.size() / 2), all.get((int) Math.ceil(all.size() * 0.99) - 1),
                    slowest.get(slowest.size() / 2), slowest.getLast());
        }
    }

    private static long version(String log, String pattern) {
        Matcher matcher = Pattern.compile(pattern).matcher(log);
        long last = 0;
        while (matcher.find()) {
            last = Long.parseLong(matcher.group(1));
        }
        return last;
    }

    /** The timestamp that starts the log line containing {@code text}, or null. */
    private static Instant timeOf(String log, String text) {
        int at = log.indexOf(text);
        if (at < 0) {
            return null;
        }
        int lineStart = log.lastIndexOf('\n', at) + 1;
        return Instant.parse(log.substring(lineStart, log.indexOf(' ', lineStart)));
    }
}
