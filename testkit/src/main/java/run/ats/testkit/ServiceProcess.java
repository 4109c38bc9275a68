package run.ats.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One ATS service jar running as its own process on 127.0.0.1, as an operator runs it, with
 * its output in {@code target/e2e-logs/NAME.log} under the working directory. Its actuator is on a
 * management port of its own ({@link #managementUrl()}), as in production; ready when the readiness
 * probe there answers 200.
 */
public final class ServiceProcess implements AutoCloseable {

    /** The project root: {@code ats.jars}, else the working directory or its parent, whichever holds the modules. */
    private static final Path JARS = System.getProperty("ats.jars") != null ? Path.of(System.getProperty("ats.jars"))
            : Files.isDirectory(Path.of("relay-service")) ? Path.of(".") : Path.of("..");
    private static final String VERSION = System.getProperty("ats.version", "0.1.0-SNAPSHOT");

    private final String name;
    private final int port;
    private final int managementPort;
    private final Path log;
    private final Process process;

    private ServiceProcess(String name, int port, int managementPort, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
        this.process = process;
    }

    /** What a command-line run of a jar ended with: its exit code and its output (stdout then stderr). */
    public record CommandRun(int exitCode, String stdout, String stderr) {
    }

    /** Runs {@code module}'s jar as a command ({@code java -jar JAR arguments...}), at most {@code wait}. */
    public static CommandRun command(String module, Duration wait, String... arguments) throws Exception {
        Path jar = jar(module);
        Path dir = Files.createDirectories(Path.of("target", "e2e-logs"));
        Path out = Files.createTempFile(dir, module + "-command", ".out");
        Path err = Files.createTempFile(dir, module + "-command", ".err");
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx128m", "-jar", jar.toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", arguments) + " did not finish within " + wait);
        }
        return new CommandRun(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    /** The executable jar {@code module}'s build made. */
    public static Path jar(String module) {
        Path jar = JARS.resolve(module).resolve("target").resolve(module + "-" + VERSION + ".jar").toAbsolutePath().normalize();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run the build from the project root (./mvnw verify)");
        }
        return jar;
    }

    /** Starts {@code module}'s jar on {@code port} with {@code arguments}; waits (60 s at most) until it is ready. */
    public static ServiceProcess start(String name, String module, int port, List<String> arguments) throws Exception {
        return start(name, module, port, List.of(), arguments);
    }

    /** The same, with options for the JVM (before {@code -jar}). */
    public static ServiceProcess start(String name, String module, int port, List<String> jvmOptions, List<String> arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx256m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar(module).toString()));
        return launch(name, port, new ProcessBuilder(command), arguments);
    }

    /**
     * Starts a service the way its container image does (docker/Dockerfile): Spring Boot's launcher
     * in {@code appDirectory}, where the jar's layers were extracted, behind {@code prefix} (for
     * example a command that drops privileges) and with {@code environment} added.
     */
    public static ServiceProcess startExtracted(String name, Path appDirectory, int port, List<String> prefix,
                                                java.util.Map<String, String> environment, List<String> arguments) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(java(), "-Xmx256m", "--enable-native-access=ALL-UNNAMED",
                "org.springframework.boot.loader.launch.JarLauncher"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(appDirectory.toFile());
        builder.environment().putAll(environment);
        return launch(name, port, builder, arguments);
    }

    private static ServiceProcess launch(String name, int port, ProcessBuilder builder, List<String> arguments) throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "e2e-logs"));
        Path log = logs.resolve(name + ".log");
        int managementPort = freePort();
        builder.command().addAll(List.of("--server.port=" + port, "--server.address=127.0.0.1",
                "--management.server.port=" + managementPort, "--management.server.address=127.0.0.1"));
        builder.command().addAll(arguments);
        Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServiceProcess service = new ServiceProcess(name, port, managementPort, log, process);
        service.awaitReady();
        return service;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Ports this JVM handed out: one not bound yet is free to the system and could be handed out twice. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A loopback port free now and not handed out before by this JVM (so two services never get the same one). */
    public static int freePort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        }
        throw new IOException("no free port not handed out already in 100 tries");
    }

    /** The operating system's process id (to pin it to a core, or read its memory and CPU time). */
    public long pid() {
        return process.pid();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Where its actuator answers ({@code /actuator/health}, {@code /actuator/prometheus}); the public port answers 404 there. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** The first group of {@code pattern} in the output, waiting up to {@code wait} for it to appear. */
    public String awaitOutput(Pattern pattern, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            Matcher matcher = pattern.matcher(output());
            if (matcher.find()) {
                return matcher.group(1);
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " never printed " + pattern + " within " + wait + "; its output:\n" + output());
    }

    private void awaitReady() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpRequest probe = HttpRequest.newBuilder(URI.create(managementUrl() + "/actuator/health/readiness")).timeout(Duration.ofSeconds(2)).build();
            for (int i = 0; i < 240 && process.isAlive(); i++) {
                try {
                    if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                Thread.sleep(250);
            }
        }
        close();
        throw new IllegalStateException(name + " did not become ready; its output:\n" + output());
    }

    /** Ends the process at once, as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** Freezes the process (SIGSTOP): its sockets stay open but nothing answers, as on a hung machine. */
    public void pause() throws Exception {
        signal("STOP");
    }

    /** Lets a paused process run again (SIGCONT). */
    public void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            try {
                resume(); // a paused process cannot act on the polite request below
            } catch (Exception alreadyGone) {
                // nothing to resume
            }
        }
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
