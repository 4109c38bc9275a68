package run.ats.bench.verifier;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import run.ats.testkit.TestPostgres;
import run.ats.verifier.VerifierApplication;
import run.ats.verifier.deploy.Report;
import run.ats.verifier.deploy.Verifications;
import run.ats.verifier.log.TransparencyLog;
import run.ats.verifier.release.Releases;
import run.ats.verifier.release.SignedStatement;
import run.ats.verifier.sri.Sri;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The KMS verifier's log and verification, in process on a real PostgreSQL:
 * <ol>
 * <li>appends per second, one entry per transaction and batched, against the direct path: the
 * same rows inserted into a plain table in the same transaction shape, without the Merkle tree;</li>
 * <li>inclusion and consistency proof latency once the log holds {@code leaves} entries, against
 * a primary-key lookup of one entry in the same table;</li>
 * <li>the verification of a ten-file deployment on a local HTTP server, against fetching the same
 * ten files with the JDK's HTTP client.</li>
 * </ol>
 * Arguments: {@code [leaves (1000000)] [appendSeconds (10)]}. Needs ATS_TEST_POSTGRES_URL.
 */
public final class VerifierBench {

    public static void main(String[] args) throws Exception {
        long leaves = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        KeyPair releaseKey = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        TenFiles site = new TenFiles();
        TestPostgres.Database database = TestPostgres.freshDatabase();
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(VerifierApplication.class)
                .web(WebApplicationType.NONE)
                .run(arguments(Map.of("spring.r2dbc.url", database.r2dbcUrl(), "spring.r2dbc.username", database.username(),
                        "spring.r2dbc.password", database.password(),
                        "ats.verifier.release-keys", Base64.getEncoder().encodeToString(raw(releaseKey)),
                        "ats.verifier.origins", site.origin().toString(), "ats.verifier.fetch.allow-loopback", "true",
                        "ats.verifier.monitor.enabled", "false", "ats.verifier.verify-cache", "0s",
                        "spring.r2dbc.pool.max-size", "20")))) {
            TransparencyLog log = context.getBean(TransparencyLog.class);
            DatabaseClient db = context.getBean(DatabaseClient.class);
            TransactionalOperator transactions = context.getBean(TransactionalOperator.class);
            db.sql("CREATE TABLE plain_entries (idx BIGSERIAL PRIMARY KEY, data BYTEA NOT NULL, appended_ms BIGINT NOT NULL)")
                    .then().block();

            System.out.println("== appends (" + seconds + " s each)");
            byte[] entry = new byte[600];
            ThreadLocalRandom.current().nextBytes(entry);
            double single = rate(seconds, 1, () -> log.append(entry).then());
            double plainSingle = rate(seconds, 1, () -> plain(db, transactions, entry, 1));
            double single16 = rate(seconds, 16, () -> log.append(entry).then());
            double plain16 = rate(seconds, 16, () -> plain(db, transactions, entry, 1));
            List<byte[]> batch = java.util.Collections.nCopies(100, entry);
            double batched = 100 * rate(seconds, 1, () -> log.append(batch, first -> Mono.empty()).then());
            double plainBatched = 100 * rate(seconds, 1, () -> plain(db, transactions, entry, 100));
            row("single appends, 1 appender", single, plainSingle);
            row("single appends, 16 appenders", single16, plain16);
            row("batched appends (100 a transaction)", batched, plainBatched);

            System.out.println("== filling the log to " + leaves + " entries");
            long filling = System.nanoTime();
            List<byte[]> thousand = java.util.Collections.nCopies(1000, entry);
            long size = log.head().block().size();
            while (size < leaves) {
                List<byte[]> next = size + 1000 <= leaves ? thousand : thousand.subList(0, (int) (leaves - size));
                size = log.append(next, first -> Mono.empty()).block().head().size();
            }
            System.out.printf("filled to %d in %.0f s%n", size, (System.nanoTime() - filling) / 1e9);

            System.out.println("== proofs at " + size + " leaves (1000 samples each)");
            long treeSize = size;
            double[] inclusion = latencies(1000, () -> log.inclusionProof(ThreadLocalRandom.current().nextLong(treeSize), treeSize).then());
            double[] consistency = latencies(1000, () -> log.consistencyProof(1 + ThreadLocalRandom.current().nextLong(treeSize - 1), treeSize).then());
            double[] lookup = latencies(1000, () -> log.entry(ThreadLocalRandom.current().nextLong(treeSize)).then());
            latencyRow("inclusion proof", inclusion, lookup);
            latencyRow("consistency proof", consistency, lookup);
            latencyRow("direct: one entry by primary key", lookup, lookup);

            System.out.println("== verifying a deployment of ten files (50 runs)");
            Releases releases = context.getBean(Releases.class);
            releases.register(SignedStatement.sign(site.statement(), releaseKey.getPrivate())).block();
            Verifications verifications = context.getBean(Verifications.class);
            URI origin = verifications.origins().getFirst();
            Report first = verifications.verifyNow(origin).block();
            if (first.verdict() != Report.Verdict.MATCH) {
                throw new IllegalStateException("the bench deployment does not match: " + first);
            }
            double[] verify = latencies(50, () -> verifications.verifyNow(origin).then());
            reactor.netty.http.client.HttpClient http = reactor.netty.http.client.HttpClient.create();
            double[] fetch = latencies(50, () -> Flux.fromIterable(site.files.keySet())
                    .concatMap(path -> http.get().uri(origin.resolve("/" + (path.equals("index.html") ? "" : path)))
                            .responseSingle((response, body) -> body.asByteArray()))
                    .then());
            latencyRow("verify ten files (crawl, hash, log lookup, evidence)", verify, fetch);
            latencyRow("direct: fetch the ten files", fetch, fetch);
        } finally {
            site.close();
        }
    }

    /** As command-line arguments: they win over the jar's application.yaml, as an operator's settings do. */
    private static String[] arguments(Map<String, String> settings) {
        return settings.entrySet().stream().map(setting -> "--" + setting.getKey() + "=" + setting.getValue()).toArray(String[]::new);
    }

    private static Mono<Void> plain(DatabaseClient db, TransactionalOperator transactions, byte[] entry, int rows) {
        return transactions.transactional(Flux.range(0, rows)
                .concatMap(i -> db.sql("INSERT INTO plain_entries (data, appended_ms) VALUES (:data, :at)")
                        .bind("data", ByteBuffer.wrap(entry)).bind("at", System.currentTimeMillis()).then())
                .then());
    }

    /** Completions per second of {@code task} with {@code concurrency} in flight, over {@code seconds}. */
    private static double rate(int seconds, int concurrency, java.util.function.Supplier<Mono<Void>> task) {
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long start = System.nanoTime();
        Long done = Flux.range(0, concurrency)
                .flatMap(worker -> Mono.defer(task).thenReturn(1).repeat(() -> System.nanoTime() < end).count(), concurrency)
                .reduce(0L, Long::sum)
                .block();
        return done / ((System.nanoTime() - start) / 1e9);
    }

    /** Milliseconds per run, one at a time, sorted. */
    private static double[] latencies(int runs, java.util.function.Supplier<Mono<Void>> task) {
        for (int i = 0; i < Math.min(50, runs); i++) {
            task.get().block();
        }
        double[] millis = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            task.get().block();
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        return millis;
    }

    private static void row(String what, double rate, double direct) {
        System.out.printf("| %s | %.0f /s | %.0f /s | %.2f |%n", what, rate, direct, rate / direct);
    }

    private static void latencyRow(String what, double[] millis, double[] direct) {
        System.out.printf("| %s | p50 %.2f ms, p99 %.2f ms | ratio p50 to direct %.1f |%n", what, percentile(millis, 50),
                percentile(millis, 99), percentile(millis, 50) / percentile(direct, 50));
    }

    private static double percentile(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static byte[] raw(KeyPair pair) {
        return run.ats.protocol.crypto.Ed25519.raw(pair.getPublic());
    }

    /** A KMS-like deployment: an entry page, seven scripts, a style sheet and a worker, about 40 KB each. */
    private static final class TenFiles implements AutoCloseable {
        final Map<String, byte[]> files = new TreeMap<>();
        private final reactor.netty.DisposableServer server;

        TenFiles() {
            StringBuilder page = new StringBuilder("<!doctype html><html><head>");
            for (int i = 0; i < 7; i++) {
                String script = "export const part" + i + " = " + "'" + "x".repeat(40_000) + "';\n"
                        + (i == 0 ? "new Worker(new URL(\"/assets/worker.js\", import.meta.url));\n" : "");
                files.put("assets/part-" + i + ".js", script.getBytes(StandardCharsets.UTF_8));
                page.append("<script type=\"module\" src=\"/assets/part-").append(i).append(".js\" integrity=\"")
                        .append(Sri.of(files.get("assets/part-" + i + ".js"))).append("\"></script>");
            }
            files.put("assets/style.css", ("body{}" + "/* padding */".repeat(3000)).getBytes(StandardCharsets.UTF_8));
            files.put("assets/worker.js", ("self.onmessage=()=>{};" + "//".repeat(20_000)).getBytes(StandardCharsets.UTF_8));
            page.append("<link rel=\"stylesheet\" href=\"/assets/style.css\" integrity=\"").append(Sri.of(files.get("assets/style.css")))
                    .append("\"></head><body></body></html>");
            files.put("index.html", page.toString().getBytes(StandardCharsets.UTF_8));
            server = reactor.netty.http.server.HttpServer.create().host("127.0.0.1").port(0)
                    .handle((request, response) -> {
                        String path = request.fullPath();
                        byte[] body = files.get(path.isEmpty() || path.equals("/") ? "index.html" : path.substring(1));
                        if (body == null) {
                            return response.status(404).send();
                        }
                        if (path.isEmpty() || path.equals("/")) {
                            response.header("Content-Security-Policy", "frame-ancestors https://app.example").header("Cache-Control", "no-cache");
                        }
                        return response.header("X-Content-Type-Options", "nosniff").sendByteArray(Mono.just(body)).then();
                    })
                    .bindNow();
        }

        URI origin() {
            return URI.create("http://127.0.0.1:" + server.port());
        }

        byte[] statement() {
            StringBuilder json = new StringBuilder("{\"type\":\"release\",\"version\":\"bench\",\"sourceCommit\":\"0123456\",\"files\":{");
            List<String> entries = new ArrayList<>();
            files.forEach((path, bytes) -> entries.add("\"" + path + "\":\"" + Sri.of(bytes) + "\""));
            return json.append(String.join(",", entries)).append("}}").toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            server.disposeNow();
        }
    }
}
