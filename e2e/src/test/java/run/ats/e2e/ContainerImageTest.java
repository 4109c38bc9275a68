package run.ats.e2e;

import org.junit.jupiter.api.Test;
import run.ats.testkit.ServiceProcess;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Images cannot be built on these machines (no Docker engine), so this checks what the Dockerfile
 * relies on: every service's jar extracts into exactly the layers it copies, and a service runs
 * from that layout the way the image runs it: Spring Boot's launcher, the uid the image and the
 * chart use (when the test runs as root, as CI does), an application directory it cannot write,
 * and only a temporary directory to write in (the chart's read-only root with a /tmp emptyDir).
 */
class ContainerImageTest {

    private static final Path ROOT = Files.isDirectory(Path.of("docker")) ? Path.of("") : Path.of("..");
    private static final List<String> SERVICES = List.of("main-server", "directory-service", "tunnel-broker", "relay-service", "kms-verifier");

    @Test
    void everyServiceExtractsIntoTheLayersTheDockerfileCopies() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile"));
        Matcher accepted = Pattern.compile("(?m)^\\s+([a-z|-]+)\\) ;;$").matcher(dockerfile);
        assertThat(accepted.find()).as("the Dockerfile's list of services").isTrue();
        assertThat(List.of(accepted.group(1).split("\\|"))).containsExactlyInAnyOrderElementsOf(SERVICES);
        List<String> copied = layersCopied(dockerfile);
        assertThat(copied).containsExactly("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");

        for (String service : SERVICES) {
            Path out = extract(service);
            try (Stream<Path> layers = Files.list(out)) {
                assertThat(layers.map(p -> p.getFileName().toString())).as(service).containsExactlyInAnyOrderElementsOf(copied);
            }
            assertThat(out.resolve("application/BOOT-INF/classes")).as(service + "'s own classes are the last layer").isDirectory();
            assertThat(out.resolve("spring-boot-loader/org/springframework/boot/loader/launch/JarLauncher.class")).isRegularFile();
        }
    }

    /**
     * Without native access, Netty on JDK 25 frees direct buffers by closing shared memory arenas,
     * a handshake with every thread each time: under load most of a service's CPU (docs/operations.md).
     */
    @Test
    void everyServiceGrantsNettyNativeAccessHoweverItIsStarted() throws Exception {
        for (String service : SERVICES) {
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(ServiceProcess.jar(service).toFile())) {
                assertThat(jar.getManifest().getMainAttributes().getValue("Enable-Native-Access"))
                        .as(service + ": `java -jar` grants it").isEqualTo("ALL-UNNAMED");
            }
        }
        String dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile"));
        assertThat(dockerfile).as("the image's launcher grants it")
                .containsPattern("(?m)^ENTRYPOINT \\[\"java\", \"--enable-native-access=ALL-UNNAMED\", \"org.springframework.boot.loader.launch.JarLauncher\"]$");
    }

    @Test
    void aServiceRunsFromTheImageLayoutAsTheImageUserWithOnlyTmpWritable() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile"));
        Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(dockerfile);
        assertThat(user.find()).isTrue();
        String values = Files.readString(ROOT.resolve("helm/ats/values.yaml"));
        assertThat(values).as("the chart runs pods as the image's user").contains("runAsUser: " + user.group(1), "runAsGroup: " + user.group(2));

        Path app = Path.of("target", "image", "relay-service", "app").toAbsolutePath();
        deleteRecursively(app);
        Path out = extract("relay-service");
        for (String layer : layersCopied(dockerfile)) {
            copyInto(out.resolve(layer), app);
        }
        makeReadOnly(app);
        Path tmp = Files.createDirectories(Path.of("target", "image", "relay-service", "tmp").toAbsolutePath());
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> asImageUser = isRoot()
                ? List.of("setpriv", "--reuid", user.group(1), "--regid", user.group(2), "--clear-groups")
                : List.of();
        int port = ServiceProcess.freePort();
        try (ServiceProcess relay = ServiceProcess.startExtracted("image-relay", app, port, asImageUser,
                Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp, "ATS_RELAY_KEY_FILE", tmp.resolve("relay.key").toString()),
                List.of("--ats.relay.main-url=http://127.0.0.1:9", "--ats.relay.directory-url=http://127.0.0.1:9"))) {
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(relay.managementUrl() + "/actuator/health/liveness")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
            }
            assertThat(relay.output()).contains("Starting RelayApplication").contains("listening on port " + port);
            if (isRoot()) {
                assertThat(Files.getOwner(tmp.resolve("relay.key")).getName()).as("the key was written as the image user")
                        .isIn(user.group(1), "ats");
                Process ps = new ProcessBuilder("ps", "-o", "uid=", "-p", Long.toString(relay.pid())).start();
                assertThat(ps.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(new String(ps.getInputStream().readAllBytes()).strip()).isEqualTo(user.group(1));
            }
        }
    }

    private static List<String> layersCopied(String dockerfile) {
        Matcher copy = Pattern.compile("(?m)^COPY --from=build /out/([a-z-]+)/ \\./$").matcher(dockerfile);
        List<String> layers = new ArrayList<>();
        while (copy.find()) {
            layers.add(copy.group(1));
        }
        return layers;
    }

    /** What the Dockerfile's build stage runs on the jar. */
    private static Path extract(String service) throws Exception {
        Path out = Path.of("target", "image", service, "out").toAbsolutePath();
        deleteRecursively(out);
        Process extract = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djarmode=tools", "-jar", ServiceProcess.jar(service).toString(),
                "extract", "--layers", "--launcher", "--destination", out.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(extract.waitFor(60, TimeUnit.SECONDS)).as("extracting " + service).isTrue();
        assertThat(extract.exitValue()).as("extracting " + service).isZero();
        return out;
    }

    private static void copyInto(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Readable by everyone, writable by no one but root: as the image's /app is for uid 10001. */
    private static void makeReadOnly(Path app) throws Exception {
        try (Stream<Path> files = Files.walk(app)) {
            for (Path file : files.toList()) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(Files.isDirectory(file) ? "r-xr-xr-x" : "r--r--r--"));
            }
        }
    }

    private static void deleteRecursively(Path path) throws Exception {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path directory : files.filter(Files::isDirectory).toList()) {
                Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
            }
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
