package run.ats.bench;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import run.ats.testkit.ServiceProcess;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sign-in throughput of the real main-server jar on PostgreSQL with SMTP to a local GreenMail
 * sink: each virtual user loops start, read the mail, verify. The same run measures the floor,
 * the same users hitting {@code /actuator/health/liveness} (on the management port, the same JVM),
 * and reports the ratio.
 *
 * <p>Usage: {@code SignInBench JAR R2DBC_URL USER PASSWORD [users=16] [seconds=20]}.
 */
public final class SignInBench {

    private static final Pattern CODE = Pattern.compile("\\b([2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4})\\b");

    public static void main(String[] args) throws Exception {
        String jar = args[0];
        int users = args.length > 4 ? Integer.parseInt(args[4]) : 16;
        Duration phase = Duration.ofSeconds(args.length > 5 ? Long.parseLong(args[5]) : 20);
        int smtpPort = ServiceProcess.freePort();
        int httpPort = ServiceProcess.freePort();
        int managementPort = ServiceProcess.freePort();

        File serverLog = new File(System.getProperty("java.io.tmpdir"), "ats-signin-bench-server.log");
        GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", "smtp"));
        smtp.start();
        Process server = null;
        try {
            server = new ProcessBuilder(javaBin(), "-jar", jar,
                    "--server.port=" + httpPort, "--management.server.port=" + managementPort,
                    "--spring.r2dbc.url=" + args[1], "--spring.r2dbc.username=" + args[2], "--spring.r2dbc.password=" + args[3],
                    "--spring.mail.host=127.0.0.1", "--spring.mail.port=" + smtpPort,
                    "--ats.main.rate-limits.start-per-ip=100000000", "--ats.main.rate-limits.verify-per-ip=100000000",
                    "--ats.main.rate-limits.start-per-address=100000000",
                    "--logging.level.root=warn")
                    .redirectErrorStream(true)
                    .redirectOutput(serverLog)
                    .start();
            measure(smtp, "http://127.0.0.1:" + httpPort, "http://127.0.0.1:" + managementPort, users, phase, serverLog);
        } finally {
            if (server != null) {
                server.destroy();
                server.waitFor();
            }
            smtp.stop();
        }
    }

    private static void measure(GreenMail smtp, String base, String management, int users, Duration phase, File serverLog) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            awaitHealthy(http, management, serverLog);
            Task floor = user -> expect(http, get(management + "/actuator/health/liveness"), 200);
            Task signIn = user -> {
                String email = "u" + user + "@bench.example";
                expect(http, post(base + "/v1/auth/email/start", "{\"email\":\"" + email + "\"}"), 202);
                String code = awaitCode(smtp, email);
                expect(http, post(base + "/v1/auth/email/verify", "{\"email\":\"" + email + "\",\"code\":\"" + code + "\"}"), 200);
            };
            run(floor, users, Duration.ofSeconds(3));
            run(signIn, users, Duration.ofSeconds(5));
            double floorRate = run(floor, users, phase);
            double signInRate = run(signIn, users, phase);
            System.out.printf("users=%d, %d s per phase%n", users, phase.toSeconds());
            System.out.printf("floor: GET /actuator/health/liveness   %.0f /s%n", floorRate);
            System.out.printf("sign-in: start + mail + verify        %.1f /s%n", signInRate);
            System.out.printf("ratio sign-in/floor: %.4f (one sign-in costs %.1f floor requests)%n",
                    signInRate / floorRate, floorRate / signInRate);
        }
    }

    interface Task {
        void run(int user) throws Exception;
    }

    /** Runs {@code users} loops of {@code task} on virtual threads; completions per second. */
    private static double run(Task task, int users, Duration duration) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> loops = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                int user = u;
                loops.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        task.run(user);
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> loop : loops) {
                loop.get();
            }
        }
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }

    /** Waits (at most 10 s) for the newest mail to {@code email}, takes its code, and empties the box. */
    private static String awaitCode(GreenMail smtp, String email) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        var user = smtp.setUser(email, email);
        var inbox = smtp.getManagers().getImapHostManager().getInbox(user);
        while (System.nanoTime() < deadline) {
            List<MimeMessage> messages = new ArrayList<>();
            for (var stored : inbox.getMessages()) {
                messages.add(stored.getMimeMessage());
            }
            if (!messages.isEmpty()) {
                inbox.deleteAllMessages();
                Matcher code = CODE.matcher(GreenMailUtil.getBody(messages.getLast()));
                if (!code.find()) {
                    throw new IllegalStateException("mail without a code");
                }
                return code.group(1);
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("no mail to " + email + " within 10 s");
    }

    private static void awaitHealthy(HttpClient http, String base, File serverLog) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(get(base + "/actuator/health"), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("main server did not become healthy in 60 s; see " + serverLog);
    }

    private static void expect(HttpClient http, HttpRequest request, int status) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != status) {
            throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
    }

    private static HttpRequest post(String url, String json) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static String javaBin() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

}
