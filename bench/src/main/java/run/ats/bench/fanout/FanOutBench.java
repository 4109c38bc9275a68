package run.ats.bench.fanout;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fan-out of one publisher to K subscribers of one cell, side by side on the ATS relay,
 * Mosquitto (MQTT over WebSocket) and NATS (WebSocket), with the same client harness for all
 * three. Servers run on core 0, this harness should run on core 1 ({@code taskset -c 1}).
 *
 * <p>For each server and K it climbs a ladder of publish rates (doubling, then two bisections)
 * and keeps the highest rate that loses under 0.1 % of deliveries with p99 under 50 ms. It also
 * measures resident memory per 1000 idle subscribed connections.
 *
 * <p>Usage: {@code FanOutBench RELAY_JAR [seconds-per-step=5] [fan-outs=10,100,1000] [servers=ats,mosquitto,nats]}.
 */
public final class FanOutBench {

    static final int PAYLOAD_BYTES = 256;
    private static final double MAX_LOSS = 0.001;
    private static final double MAX_P99_MS = 50;
    private static final int IDLE_CONNECTIONS = 1000;
    /** The ladder starts where the server delivers this many messages per second. */
    private static final long START_DELIVERIES = 25_000;
    private static final int MAX_RATE = 200_000;
    private static final int WARM_UP_SECONDS = 10;
    /** Every subscriber's connection runs on this one thread; the publisher has its own. */
    private static final EventLoopGroup SUBSCRIBER_LOOP = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    private record Step(int rate, long sent, long expected, Tally.Seen seen, double deliveredPerSecond, double serverCpu,
                        double harnessCpu, boolean passed) {
    }

    private record Row(String server, int fanOut, Step best, Step firstFailure) {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int[] fanOuts = Arrays.stream((args.length > 2 ? args[2] : "10,100,1000").split(",")).mapToInt(Integer::parseInt).toArray();
        List<String> servers = List.of((args.length > 3 ? args[3] : "ats,mosquitto,nats").split(","));
        String fixedRates = System.getProperty("bench.rates");

        List<Row> rows = new ArrayList<>();
        List<String> memory = new ArrayList<>();
        EventLoopGroup publisherLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            for (String name : servers) {
                Path dir = Files.createTempDirectory("ats-fanout-" + name);
                try (ServerUnderTest server = switch (name) {
                    case "ats" -> ServerUnderTest.ats(jar, dir);
                    case "mosquitto" -> ServerUnderTest.mosquitto(dir);
                    case "nats" -> ServerUnderTest.nats(dir);
                    default -> throw new IllegalArgumentException("unknown server " + name);
                }) {
                    log("%s: started, WebSocket at %s", server.name(), server.ws());
                    Tally tally = new Tally();
                    BenchSocket publisher = BenchSocket.open(publisherLoop, server.ws(), server.wire(), null, tally).get(30, TimeUnit.SECONDS);

                    // Warm-up (the JVM compiles its hot path), not recorded.
                    List<BenchSocket> warm = connect(SUBSCRIBER_LOOP, server, server.topic(), 10, tally);
                    step(server, publisher, warm, tally, 0, 2_000, WARM_UP_SECONDS);
                    closeAll(warm);

                    long before = server.rssBytes();
                    List<BenchSocket> idle = connect(SUBSCRIBER_LOOP, server, server.idleTopic(), IDLE_CONNECTIONS, tally);
                    Thread.sleep(3_000);
                    long after = server.rssBytes();
                    memory.add(String.format(Locale.ROOT, "| %s | %.1f MiB | %.1f MiB | %.1f MiB |",
                            server.name(), before / 1048576.0, after / 1048576.0, (after - before) / 1048576.0));
                    log("%s: %d idle subscribed connections took %.1f MiB", server.name(), IDLE_CONNECTIONS, (after - before) / 1048576.0);
                    closeAll(idle);

                    int stepNumber = 1;
                    for (int k : fanOuts) {
                        List<BenchSocket> subscribers = connect(SUBSCRIBER_LOOP, server, server.topic(), k, tally);
                        Step best = null, failure = null;
                        if (fixedRates != null) {
                            // -Dbench.rates=a,b,c: just these rates, for looking at one point.
                            for (String fixed : fixedRates.split(",")) {
                                Step s = step(server, publisher, subscribers, tally, stepNumber++, Integer.parseInt(fixed), seconds);
                                best = s.passed() ? s : best;
                            }
                            rows.add(new Row(server.name(), k, best, null));
                            closeAll(subscribers);
                            continue;
                        }
                        int rate = (int) Math.max(10, START_DELIVERIES / k);
                        while (rate <= MAX_RATE) {
                            Step s = step(server, publisher, subscribers, tally, stepNumber++, rate, seconds);
                            if (!s.passed()) {
                                failure = s;
                                break;
                            }
                            best = s;
                            rate *= 2;
                        }
                        for (int i = 0; i < 2 && best != null && failure != null; i++) {
                            int mid = (int) Math.round(Math.sqrt((double) best.rate() * failure.rate()));
                            if (mid <= best.rate() || mid >= failure.rate()) {
                                break;
                            }
                            Step s = step(server, publisher, subscribers, tally, stepNumber++, mid, seconds);
                            if (s.passed()) {
                                best = s;
                            } else {
                                failure = s;
                            }
                        }
                        rows.add(new Row(server.name(), k, best, failure));
                        closeAll(subscribers);
                    }
                    publisher.close().get(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            SUBSCRIBER_LOOP.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            publisherLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        report(rows, memory, seconds);
    }

    private static Step step(ServerUnderTest server, BenchSocket publisher, List<BenchSocket> subscribers, Tally tally,
                             int number, int rate, int seconds) throws Exception {
        // A server may have closed slow subscribers in the step before: each step starts with K.
        int k = subscribers.size();
        for (int i = 0; i < k; i++) {
            if (!subscribers.get(i).channel().isActive()) {
                subscribers.set(i, connect(SUBSCRIBER_LOOP, server, server.topic(), 1, tally).getFirst());
            }
        }
        if (!publisher.channel().isActive()) {
            throw new IllegalStateException(server.name() + " closed the publisher");
        }
        tally.begin(number);
        double cpuBefore = server.cpuSeconds();
        double harnessBefore = ServerUnderTest.cpuSeconds(ProcessHandle.current().pid());
        long begin = System.nanoTime();
        long sent = Publisher.run(publisher, server.topic(), number, rate, seconds).get(seconds + 30L, TimeUnit.SECONDS);
        long expected = sent * k;
        // Drain: up to 2 s for the last messages.
        long drainUntil = System.nanoTime() + 2_000_000_000L;
        while (tally.received() < expected && System.nanoTime() < drainUntil) {
            Thread.sleep(10);
        }
        double elapsed = (System.nanoTime() - begin) / 1e9;
        double cpu = (server.cpuSeconds() - cpuBefore) / elapsed;
        double harnessCpu = (ServerUnderTest.cpuSeconds(ProcessHandle.current().pid()) - harnessBefore) / elapsed;
        Tally.Seen seen = tally.seen();
        boolean onTime = sent >= (long) rate * seconds;
        double loss = expected == 0 ? 1 : 1 - (double) seen.received() / expected;
        boolean passed = onTime && loss < MAX_LOSS && seen.p99Ms() < MAX_P99_MS && seen.unexpectedCloses() == 0;
        Step step = new Step(rate, sent, expected, seen, seen.received() / (double) seconds, cpu, harnessCpu, passed);
        log("%s K=%d rate=%d/s: sent %d, delivered %d/%d (loss %.4f%%), p50 %.2f ms, p99 %.2f ms, server CPU %.0f%%, harness CPU %.0f%%, closes %d, problems %d%s -> %s",
                server.name(), k, rate, sent, seen.received(), expected, loss * 100, seen.p50Ms(), seen.p99Ms(), cpu * 100, harnessCpu * 100,
                seen.unexpectedCloses(), seen.problems(), seen.firstProblem() == null ? "" : " (" + seen.firstProblem() + ")",
                passed ? "pass" : "FAIL");
        awaitQuiet(tally);
        return step;
    }

    /**
     * Waits until nothing has arrived for a second (at most a minute): a server that fell behind
     * may still be sending the last step's backlog, which would crowd out the next step.
     */
    private static void awaitQuiet(Tally tally) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() - tally.lastArrivalNanos() < 1_000_000_000L && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static List<BenchSocket> connect(EventLoopGroup loop, ServerUnderTest server, String topic, int count, Tally tally) throws Exception {
        List<BenchSocket> sockets = new ArrayList<>();
        for (int from = 0; from < count; from += 100) {
            List<CompletableFuture<BenchSocket>> batch = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + 100); i++) {
                batch.add(BenchSocket.open(loop, server.ws(), server.wire(), topic, tally));
            }
            for (CompletableFuture<BenchSocket> socket : batch) {
                sockets.add(socket.get(30, TimeUnit.SECONDS));
            }
        }
        return sockets;
    }

    private static void closeAll(List<BenchSocket> sockets) throws Exception {
        CompletableFuture.allOf(sockets.stream().map(BenchSocket::close).toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    private static void report(List<Row> rows, List<String> memory, int seconds) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%n%d s per step; pass = loss < %.1f%% and p99 < %.0f ms%n%n", seconds, MAX_LOSS * 100, MAX_P99_MS));
        out.append("| server | K | max publish rate | delivered/s | p50 | p99 | server CPU | harness CPU | next step (failed) |\n");
        out.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            Step b = row.best();
            out.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s |%n", row.server(), row.fanOut(),
                    b == null ? "none" : b.rate() + " /s",
                    b == null ? "-" : String.format(Locale.ROOT, "%.0f", b.deliveredPerSecond()),
                    b == null ? "-" : String.format(Locale.ROOT, "%.2f ms", b.seen().p50Ms()),
                    b == null ? "-" : String.format(Locale.ROOT, "%.2f ms", b.seen().p99Ms()),
                    b == null ? "-" : String.format(Locale.ROOT, "%.0f%%", b.serverCpu() * 100),
                    b == null ? "-" : String.format(Locale.ROOT, "%.0f%%", b.harnessCpu() * 100),
                    describe(row.firstFailure())));
        }
        out.append("\nRatios of max publish rate:\n\n");
        for (Row ats : rows.stream().filter(r -> r.server().equals("ATS relay")).toList()) {
            for (Row peer : rows.stream().filter(r -> !r.server().equals("ATS relay") && r.fanOut() == ats.fanOut()).toList()) {
                if (ats.best() != null && peer.best() != null) {
                    out.append(String.format(Locale.ROOT, "- K=%d: ATS/%s = %.2f%n", ats.fanOut(), peer.server(),
                            (double) ats.best().rate() / peer.best().rate()));
                }
            }
        }
        out.append("\n| server | RSS before | RSS with ").append(IDLE_CONNECTIONS).append(" idle subscribers | per 1000 |\n|---|---|---|---|\n");
        memory.forEach(line -> out.append(line).append('\n'));
        System.out.println(out);
    }

    private static String describe(Step failed) {
        if (failed == null) {
            return "none up to " + MAX_RATE + " /s";
        }
        double loss = failed.expected() == 0 ? 1 : 1 - (double) failed.seen().received() / failed.expected();
        return String.format(Locale.ROOT, "%d /s: loss %.2f%%, p99 %.1f ms%s", failed.rate(), loss * 100, failed.seen().p99Ms(),
                failed.sent() < failed.rate() ? ", publisher behind" : "");
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, format + "%n", args);
    }
}
