package run.ats.bench.tunnel;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import run.ats.testkit.Suite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One relay reached four ways (straight, nginx, {@code ssh -R}, the ATS broker), the same
 * workloads on each, interleaved, {@code runs} times after one unrecorded warm-up; medians reported. The relay and every
 * path's processes run on core 0, this harness on core 1.
 *
 * <ul>
 * <li>round trips: K connections each publish a 256-byte frame and wait for its ack, over and over;</li>
 * <li>new connections per second: WebSocket open, hello, welcome, close, 16 at a time;</li>
 * <li>memory, first, on fresh processes: what the path itself holds for 1000 idle connections
 *     (resident growth of native servers; for the broker, a JVM, its live heap with them open less
 *     with them closed);</li>
 * <li>bulk: one connection, 4 KiB payloads, 64 unacknowledged at most; bytes per second, and CPU
 *     seconds (relay plus path processes) per GB.</li>
 * </ul>
 *
 * <p>Needs PostgreSQL ({@code ATS_TEST_POSTGRES_URL}), nginx and openssh-server. Usage:
 * {@code TunnelBench [runs=5] [seconds=5]}; {@code -Dbench.paths=ssh,ats} and {@code -Dbench.workloads=bulk}
 * run only those paths and workloads.
 */
public final class TunnelBench {

    private static final String CELL = "u4pr";

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Processes.pin(ProcessHandle.current().pid(), "1");
        Path dir = Files.createTempDirectory("tunnel-bench");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        // A thousand idle connections come from one address here: no per-address limit.
        // The broker runs pinned to one core below: one event loop, as nginx gets one worker.
        List<String> brokerSettings = new ArrayList<>(List.of("--ats.broker.max-connections-per-address=0", "--ats.broker.event-loops=1"));
        // -Dbench.broker="--ats.broker.window=1MB" tries a broker setting.
        if (!System.getProperty("bench.broker", "").isBlank()) {
            brokerSettings.addAll(List.of(System.getProperty("bench.broker").trim().split("\\s+")));
        }
        Suite suite = Suite.withBrokerSettings(brokerSettings);
        List<Paths.Path_> opened = new ArrayList<>();
        try {
            suite.relayHeartbeat = "10s";
            suite.relaySettings.addAll(List.of("--ats.relay.connections-per-ip=100000", "--ats.relay.publishes-per-second=1000000",
                    "--ats.relay.publishes-per-second-per-token=1000000", "--ats.relay.frames-per-second=1000000"));
            Suite.Relay relay = suite.claimedRelays(1).getFirst();
            String name = suite.awaitTunnel(relay);
            for (long pid : List.of(relay.process.pid(), suite.broker.pid(), suite.main.pid(), suite.directory.pid())) {
                Processes.pin(pid, "0");
            }
            String token = suite.relayToken();
            // -Dbench.paths=ssh,ats measures only those (while working on one of them; a result keeps all four).
            Set<String> only = Set.of(System.getProperty("bench.paths", "direct,nginx,ssh,ats").split(","));
            // -Dbench.workloads=bulk likewise (1, 100, new, bulk, memory).
            Set<String> workloads = Set.of(System.getProperty("bench.workloads", "1,100,new,bulk,memory").split(","));
            if (only.contains("direct")) {
                opened.add(Paths.direct(relay.port));
            }
            if (only.contains("nginx")) {
                opened.add(Paths.nginx(relay.port, Files.createDirectories(dir.resolve("nginx"))));
            }
            if (only.contains("ssh")) {
                opened.add(Paths.sshReverse(relay.port, Files.createDirectories(dir.resolve("ssh"))));
            }
            if (only.contains("ats")) {
                opened.add(Paths.ats(suite.brokerPublicPort, name, suite.broker.pid()));
            }
            List<Paths.Path_> paths = List.copyOf(opened);
            Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
            // Memory first, while the paths' processes are fresh: a native server's resident size grows
            // with its first thousand connections and does not shrink when they close.
            Map<String, Double> memory = new LinkedHashMap<>();
            for (Paths.Path_ path : paths) {
                if (workloads.contains("memory")) {
                    memory.put(path.name(), idleMemory(group, path, token));
                }
            }
            // Run 0 warms the JVMs' compilers up (the relay's on every path, the broker's) and is not recorded.
            for (int run = 0; run <= runs; run++) {
                for (Paths.Path_ path : paths) {
                    Map<String, List<Double>> figures = run == 0 ? new LinkedHashMap<>()
                            : results.computeIfAbsent(path.name(), n -> new LinkedHashMap<>());
                    long relayPid = relay.process.pid();
                    if (workloads.contains("1")) {
                        double[] one = roundTrips(group, path, token, 1, seconds);
                        add(figures, "1 conn msg/s", one[0]);
                        add(figures, "1 conn p50 us", one[1]);
                        add(figures, "1 conn p99 us", one[2]);
                    }
                    if (workloads.contains("100")) {
                        double[] hundred = roundTrips(group, path, token, 100, seconds);
                        add(figures, "100 conn msg/s", hundred[0]);
                        add(figures, "100 conn p50 us", hundred[1]);
                        add(figures, "100 conn p99 us", hundred[2]);
                    }
                    if (workloads.contains("new")) {
                        add(figures, "new conn/s", connectionsPerSecond(group, path, token, seconds));
                    }
                    if (workloads.contains("bulk")) {
                        double[] bulk = bulk(group, path, token, seconds, relayPid);
                        add(figures, "bulk MB/s", bulk[0]);
                        add(figures, "CPU s/GB", bulk[1]);
                    }
                    System.err.printf(Locale.ROOT, "run %d %-10s %s%n", run, path.name(), last(figures));
                }
            }
            memory.forEach((path, mib) -> add(results.get(path), "MiB per 1000 idle", mib));
            print(results);
        } finally {
            // nginx and sshd too, whatever failed: they would outlive the bench.
            opened.forEach(Paths.Path_::close);
            suite.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** {msgs per second, p50 us, p99 us} for K connections in a closed loop. */
    private static double[] roundTrips(EventLoopGroup group, Paths.Path_ path, String token, int k, int seconds) throws Exception {
        List<RelayConnection> connections = open(group, path, token, k);
        List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
        AtomicLong acks = new AtomicLong();
        long[] window = new long[2];
        String topic = "benchTopic" + k;
        List<Runnable> kicks = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            RelayConnection connection = connections.get(i);
            Publishes frames = new Publishes(topic, i, 256, 1);
            long[] sentAt = new long[1];
            kicks.add(() -> {
                sentAt[0] = System.nanoTime();
                connection.send(frames.next());
            });
            long[] mine = new long[400_000];
            int[] count = new int[1];
            samples.add(mine);
            connection.onAck(now -> {
                if (now >= window[0] && now < window[1]) {
                    acks.incrementAndGet();
                    if (count[0] < mine.length) {
                        mine[count[0]++] = now - sentAt[0];
                    }
                }
                sentAt[0] = System.nanoTime();
                connection.send(frames.next());
            });
        }
        long start = System.nanoTime();
        window[0] = start + TimeUnit.SECONDS.toNanos(1);
        window[1] = window[0] + TimeUnit.SECONDS.toNanos(seconds);
        kicks.forEach(Runnable::run);
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(window[1] - start) + 200);
        for (RelayConnection connection : connections) {
            connection.onAck(now -> { });
        }
        closeAll(connections);
        List<Long> all = new ArrayList<>();
        for (long[] mine : samples) {
            for (long value : mine) {
                if (value > 0) {
                    all.add(value);
                }
            }
        }
        Collections.sort(all);
        return new double[] {acks.get() / (double) seconds, all.get(all.size() / 2) / 1000.0,
                all.get((int) Math.min(all.size() - 1, Math.ceil(all.size() * 0.99) - 1)) / 1000.0};
    }

    private static double connectionsPerSecond(EventLoopGroup group, Paths.Path_ path, String token, int seconds) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            workers.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    try {
                        RelayConnection connection = RelayConnection.open(group, path.connectTo(), path.uri(), token).get(10, TimeUnit.SECONDS);
                        connection.close().get(10, TimeUnit.SECONDS);
                        done.incrementAndGet();
                    } catch (Exception e) {
                        System.err.println(path.name() + ": " + e);
                    }
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        return done.get() / (double) seconds;
    }

    /** {MB per second, CPU seconds per GB} for one connection streaming 4 KiB publishes. */
    private static double[] bulk(EventLoopGroup group, Paths.Path_ path, String token, int seconds, long relayPid) throws Exception {
        RelayConnection connection = open(group, path, token, 1).getFirst();
        Publishes frames = new Publishes("benchBulk", 0, 0, 4096);
        int frameBytes = frames.next().length();
        AtomicLong acked = new AtomicLong();
        connection.onAck(now -> {
            acked.incrementAndGet();
            connection.send(frames.next());
        });
        List<String> first = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            first.add(frames.next());
        }
        connection.sendAll(first);
        Thread.sleep(1000);
        Set<Long> pids = pids(path, relayPid);
        Map<Long, Long> before = new LinkedHashMap<>();
        for (long pid : pids) {
            before.put(pid, Processes.cpuTicks(Set.of(pid)));
        }
        long ackedBefore = acked.get();
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long ackedAfter = acked.get();
        double elapsed = (System.nanoTime() - start) / 1e9;
        Map<Long, Long> used = new LinkedHashMap<>();
        for (long pid : pids) {
            used.put(pid, Processes.cpuTicks(Set.of(pid)) - before.get(pid));
        }
        connection.onAck(now -> { });
        connection.close().get(10, TimeUnit.SECONDS);
        double bytes = (ackedAfter - ackedBefore) * (double) frameBytes;
        double cpuSeconds = used.values().stream().mapToLong(Long::longValue).sum() / 100.0;
        // Where the CPU went, per process (the relay last): for reading, not for the table.
        StringBuilder split = new StringBuilder(path.name() + " bulk CPU s/GB by process:");
        used.forEach((pid, ticks) -> split.append(String.format(Locale.ROOT, " %s(%d)=%.1f", Processes.command(pid), pid,
                ticks / 100.0 / (bytes / 1e9))));
        System.err.println(split);
        return new double[] {bytes / elapsed / 1e6, cpuSeconds / (bytes / 1e9)};
    }

    /**
     * The path's own memory for 1000 idle connections (the relay is the same on every path and left
     * out). A native server's resident growth, measured on fresh processes. A JVM's resident size
     * says nothing (its heap is committed ahead of need), so for the broker: its live heap (after a
     * full collection) with the connections open, less the same once they are closed, so that what
     * the allocator and caches happen to hold cancels out.
     */
    private static double idleMemory(EventLoopGroup group, Paths.Path_ path, String token) throws Exception {
        Set<Long> pids = pids(path);
        long nativeBefore = Processes.rssKiB(nativeOnly(pids));
        List<RelayConnection> connections = open(group, path, token, 1000);
        Thread.sleep(2000);
        long nativeAfter = Processes.rssKiB(nativeOnly(pids));
        long jvmOpen = jvmLiveKiB(pids);
        closeAll(connections);
        Thread.sleep(2000);
        long jvmClosed = jvmLiveKiB(pids);
        return (nativeAfter - nativeBefore + jvmOpen - jvmClosed) / 1024.0;
    }

    private static Set<Long> nativeOnly(Set<Long> pids) throws Exception {
        Set<Long> natives = new LinkedHashSet<>();
        for (long pid : pids) {
            if (!Processes.isJava(pid)) {
                natives.add(pid);
            }
        }
        return natives;
    }

    private static long jvmLiveKiB(Set<Long> pids) throws Exception {
        long kib = 0;
        for (long pid : pids) {
            if (Processes.isJava(pid)) {
                kib += JvmFootprint.liveKiB(pid);
            }
        }
        return kib;
    }

    /** The path's processes (with any children forked since), without the relay. */
    private static Set<Long> pids(Paths.Path_ path) {
        Set<Long> pids = new LinkedHashSet<>(path.pids());
        for (Process process : path.processes()) {
            pids.addAll(Paths.tree(process));
        }
        return pids;
    }

    private static List<RelayConnection> open(EventLoopGroup group, Paths.Path_ path, String token, int count) throws Exception {
        List<RelayConnection> connections = new ArrayList<>();
        for (int i = 0; i < count; i += 50) {
            List<CompletableFuture<RelayConnection>> batch = new ArrayList<>();
            for (int j = i; j < Math.min(count, i + 50); j++) {
                batch.add(RelayConnection.open(group, path.connectTo(), path.uri(), token));
            }
            for (CompletableFuture<RelayConnection> opening : batch) {
                connections.add(opening.get(30, TimeUnit.SECONDS));
            }
        }
        return connections;
    }

    private static void closeAll(List<RelayConnection> connections) throws Exception {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (RelayConnection connection : connections) {
            closing.add(connection.close());
        }
        CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    /** The relay and the path's processes (with any children forked since). */
    private static Set<Long> pids(Paths.Path_ path, long relayPid) {
        Set<Long> pids = pids(path);
        pids.add(relayPid);
        return pids;
    }

    private static void add(Map<String, List<Double>> figures, String key, double value) {
        figures.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    private static String last(Map<String, List<Double>> figures) {
        StringBuilder line = new StringBuilder();
        figures.forEach((key, values) -> line.append(String.format(Locale.ROOT, "%s %.1f; ", key, values.getLast())));
        return line.toString();
    }

    private static void print(Map<String, Map<String, List<Double>>> results) {
        List<String> keys = new ArrayList<>(results.values().iterator().next().keySet());
        StringBuilder header = new StringBuilder("| path |");
        for (String key : keys) {
            header.append(' ').append(key).append(" |");
        }
        System.out.println(header);
        System.out.println("|---".repeat(keys.size() + 1) + "|");
        results.forEach((path, figures) -> {
            StringBuilder row = new StringBuilder("| " + path + " |");
            for (String key : keys) {
                row.append(String.format(Locale.ROOT, " %.1f |", median(figures.get(key))));
            }
            System.out.println(row);
        });
        // The ratios the goal is stated in, from the same run's medians.
        for (String peer : List.of("ssh -R", "nginx")) {
            if (!results.containsKey(peer) || !results.containsKey("ATS tunnel")) {
                continue;
            }
            StringBuilder ratios = new StringBuilder("ATS / " + peer + ":");
            for (String key : keys) {
                double ours = median(results.get("ATS tunnel").get(key));
                double theirs = median(results.get(peer).get(key));
                boolean lowerIsBetter = key.contains(" us") || key.startsWith("CPU") || key.startsWith("MiB");
                ratios.append(String.format(Locale.ROOT, " %s %.2fx%s;", key, theirs == 0 ? Double.NaN : ours / theirs,
                        lowerIsBetter ? " (lower is better)" : ""));
            }
            System.out.println(ratios);
        }
    }

    private static double median(List<Double> figures) {
        List<Double> values = new ArrayList<>(figures);
        Collections.sort(values);
        return values.get(values.size() / 2);
    }

    /** Publish frames of a fixed size with fresh ids. */
    private static final class Publishes {
        private final String topic;
        private final String prefix;
        private final String payload;
        private final int idLength;
        private long sequence;

        /** {@code frameSize} &gt; 0: pad the id so each frame is that many bytes; else a {@code payloadBytes} payload. */
        Publishes(String topic, int connection, int frameSize, int payloadBytes) {
            String base = "{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"cell\":\"" + CELL + "\",\"ttl\":1,\"id\":\"\",\"payload\":\"\"}";
            int payloadChars = frameSize > 0 ? 4 * ((frameSize - base.length() - 24) / 4) : 4 * (payloadBytes / 3);
            this.payload = "A".repeat(payloadChars);
            this.idLength = frameSize > 0 ? frameSize - base.length() - payloadChars : 24;
            this.prefix = "c" + connection + "x";
            this.topic = topic;
        }

        String next() {
            String counter = Long.toString(sequence++, 36);
            String id = prefix + "0".repeat(Math.max(0, idLength - prefix.length() - counter.length())) + counter;
            return "{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"cell\":\"" + CELL + "\",\"ttl\":1,\"id\":\"" + id
                    + "\",\"payload\":\"" + payload + "\"}";
        }
    }
}
