package run.ats.bench.fanout;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import run.ats.protocol.token.RelayAccessTokens;
import run.ats.protocol.topic.TopicTag;
import run.ats.testkit.ServiceProcess;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One server process pinned to core 0 ({@code taskset -c 0}), its WebSocket address, the wire
 * it speaks, and the topics the benchmark uses on it. Every server listens on 127.0.0.1 only
 * (Mosquitto's WebSocket listener binds every interface; traffic still goes only to loopback).
 */
record ServerUnderTest(String name, Process process, URI ws, Wire wire, String topic, String idleTopic) implements AutoCloseable {

    static final String SERVER_CORE = "0";

    /** The ATS relay jar with limits raised out of the way of one publisher and many subscribers. */
    static ServerUnderTest ats(Path jar, Path dir) throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("bench").algorithm(JWSAlgorithm.ES256).generate();
        Path jwks = Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
        SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("bench").build(),
                RelayAccessTokens.claims("https://bench.invalid", Instant.now(), Duration.ofHours(1), new SecureRandom()));
        token.sign(new ECDSASigner(key));
        int port = ServiceProcess.freePort();
        int managementPort = ServiceProcess.freePort();
        List<String> command = new ArrayList<>(List.of("taskset", "-c", SERVER_CORE,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-Xlog:gc:file=" + dir.resolve("gc.log"), "-jar", jar.toString(),
                "--server.port=" + port, "--server.address=127.0.0.1", "--management.server.port=" + managementPort,
                "--ats.relay.main-url=http://127.0.0.1:9", "--ats.relay.jwks-file=" + jwks,
                "--ats.relay.key-file=" + dir.resolve("relay.key"),
                "--ats.relay.connections-per-ip=10000", "--ats.relay.publishes-per-second=1000000",
                "--ats.relay.publishes-per-second-per-token=1000000", "--ats.relay.frames-per-second=1000000",
                "--logging.level.root=warn"));
        // -Dbench.relay.jvm="..." adds JVM options to the relay, e.g. a flight recording.
        String extra = System.getProperty("bench.relay.jvm", "").strip();
        if (!extra.isEmpty()) {
            command.addAll(4, List.of(extra.split("\\s+")));
        }
        Process process = start(command, dir.resolve("relay.log"));
        awaitHttp(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness"), process);
        return new ServerUnderTest("ATS relay", process, URI.create("ws://127.0.0.1:" + port + "/v1/ws"),
                new AtsWire(token.serialize()), TopicTag.of("bench"), TopicTag.of("bench-idle"));
    }

    static ServerUnderTest mosquitto(Path dir) throws Exception {
        int plain = ServiceProcess.freePort(), ws = ServiceProcess.freePort();
        // 2.0.11 refuses to start with only a WebSocket listener.
        Path config = Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n",
                "listener " + plain + " 127.0.0.1",
                "allow_anonymous true",
                "listener " + ws + " 127.0.0.1",
                "protocol websockets",
                "log_type error", ""));
        Process process = start(List.of("taskset", "-c", SERVER_CORE, "mosquitto", "-c", config.toString()), dir.resolve("mosquitto.log"));
        awaitPort(ws, process);
        return new ServerUnderTest("Mosquitto", process, URI.create("ws://127.0.0.1:" + ws + "/mqtt"),
                new MqttWire(), "bench/dqcj", "bench-idle/dqcj");
    }

    static ServerUnderTest nats(Path dir) throws Exception {
        int plain = ServiceProcess.freePort(), ws = ServiceProcess.freePort();
        Path config = Files.writeString(dir.resolve("nats.conf"), String.join("\n",
                "listen: \"127.0.0.1:" + plain + "\"",
                "websocket {",
                "  listen: \"127.0.0.1:" + ws + "\"",
                "  no_tls: true",
                "}", ""));
        Process process = start(List.of("taskset", "-c", SERVER_CORE, "nats-server", "-c", config.toString()), dir.resolve("nats.log"));
        awaitPort(ws, process);
        return new ServerUnderTest("NATS", process, URI.create("ws://127.0.0.1:" + ws + "/"),
                new NatsWire(), "bench.dqcj", "bench-idle.dqcj");
    }

    /** Resident memory of the server process, from /proc. */
    long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for " + name);
    }

    /** User plus system CPU time of the server process so far, in seconds. */
    double cpuSeconds() throws IOException {
        return cpuSeconds(process.pid());
    }

    /** User plus system CPU time of a process so far, in seconds (/proc counts ticks of 1/100 s). */
    static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    private static Process start(List<String> command, Path log) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitHttp(URI health, Process process) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (int i = 0; i < 120 && process.isAlive(); i++) {
                try {
                    if (http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                Thread.sleep(500);
            }
        }
        throw new IllegalStateException("server did not become ready: " + health);
    }

    private static void awaitPort(int port, Process process) throws Exception {
        for (int i = 0; i < 60 && process.isAlive(); i++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(250);
            }
        }
        throw new IllegalStateException("nothing listens on 127.0.0.1:" + port);
    }

}
