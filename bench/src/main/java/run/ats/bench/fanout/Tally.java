package run.ats.bench.fanout;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Counts the messages of the current step and their latencies (10 us buckets up to 10 s).
 * Messages stamped with another step arrived late and are not counted.
 */
final class Tally {

    private static final long BUCKET_NANOS = 10_000;
    private final int[] buckets = new int[1_000_000];
    private int step = -1;
    private long received;
    private volatile long lastArrivalNanos = System.nanoTime();
    private final AtomicLong unexpectedCloses = new AtomicLong();
    private final AtomicLong problems = new AtomicLong();
    private final AtomicReference<String> firstProblem = new AtomicReference<>();

    /** What one step saw. */
    record Seen(long received, double p50Ms, double p99Ms, long problems, String firstProblem, long unexpectedCloses) {
    }

    synchronized void begin(int newStep) {
        step = newStep;
        received = 0;
        Arrays.fill(buckets, 0);
        problems.set(0);
        firstProblem.set(null);
        unexpectedCloses.set(0);
    }

    synchronized void record(Stamp stamp, long nowNanos) {
        lastArrivalNanos = nowNanos;
        if (stamp == null || stamp.step() != step) {
            return;
        }
        received++;
        long bucket = Math.max(0, (nowNanos - stamp.sentNanos()) / BUCKET_NANOS);
        buckets[(int) Math.min(bucket, buckets.length - 1)]++;
    }

    /** When the last message of any step arrived. */
    long lastArrivalNanos() {
        return lastArrivalNanos;
    }

    synchronized long received() {
        return received;
    }

    synchronized Seen seen() {
        return new Seen(received, percentileMs(0.50), percentileMs(0.99), problems.get(), firstProblem.get(), unexpectedCloses.get());
    }

    void problem(String text) {
        problems.incrementAndGet();
        firstProblem.compareAndSet(null, text.length() > 200 ? text.substring(0, 200) : text);
    }

    void unexpectedClose() {
        unexpectedCloses.incrementAndGet();
    }

    private double percentileMs(double q) {
        long rank = (long) Math.ceil(q * received);
        long seen = 0;
        for (int i = 0; i < buckets.length; i++) {
            seen += buckets[i];
            if (seen >= rank && rank > 0) {
                return (i + 1) * BUCKET_NANOS / 1e6;
            }
        }
        return Double.NaN;
    }
}
