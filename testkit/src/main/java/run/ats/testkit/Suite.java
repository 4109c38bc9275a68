package run.ats.testkit;

import run.ats.protocol.crypto.Ed25519;
import run.ats.protocol.directory.Directory;
import run.ats.protocol.directory.SignedDirectory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running suite for end-to-end tests: the directory and the main server as processes on
 * fresh PostgreSQL databases, relays started and claimed the way an operator does it, and
 * the HTTP calls a client makes.
 */
public final class Suite implements AutoCloseable {

    public static final Pattern CLAIM_CODE = Pattern.compile("claim code ([2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4})");
    public static final Pattern RELAY_ID = Pattern.compile("Relay id ([a-z2-7]{32})");
    public static final JsonMapper JSON = JsonMapper.builder().build();

    /** A relay of the suite: its process (null while stopped), id, port and key file. */
    public static final class Relay {
        public final String name;
        public final int port;
        public final Path keyFile;
        public ServiceProcess process;
        public String id;
        /** The directory this relay follows and sends heartbeats to; null: the suite's directory. */
        public String directoryUrl;
        private int starts;

        public Relay(String name, int port, Path keyFile) {
            this.name = name;
            this.port = port;
            this.keyFile = keyFile;
        }

        public String ws() {
            return "ws://127.0.0.1:" + port + "/v1/ws";
        }

        public String http() {
            return "http://127.0.0.1:" + port;
        }
    }

    public final ServiceProcess directory;
    public final ServiceProcess main;
    /** The tunnel broker, or null in a suite without one. */
    public final ServiceProcess broker;
    /** The broker's public port ({@code name.relays.localhost:port}, {@code /v1/tunnel}). */
    public final int brokerPublicPort;
    public static final String BROKER_DOMAIN = "relays.localhost";
    public final List<Relay> relays = new ArrayList<>();
    public final HttpClient http = HttpClient.newHttpClient();
    /** How often the suite's relays send heartbeats: fast for tests, slower for many relays on one machine. */
    public String relayHeartbeat = "500ms";
    /** JVM options for every relay the suite starts from now on. */
    public final List<String> relayJvmOptions = new ArrayList<>();
    /** More {@code --ats.relay.*} settings for every relay the suite starts from now on. */
    public final List<String> relaySettings = new ArrayList<>();
    private final List<ServiceProcess> started = new ArrayList<>();
    private String operator;

    /** The directory operator's token in every suite (only its SHA-256 is configured). */
    public static final String OPERATOR_TOKEN = "suite-operator-token";

    private final List<String> directorySettings;

    /**
     * The broker's TLS: its wildcard certificate and key (PEM), and a PKCS#12 trust store holding
     * that certificate, which relays (and test clients) trust.
     */
    public record BrokerTls(Path certificate, Path privateKey, Path trustStore, String password) {
    }

    private final BrokerTls tls;
    private final List<String> brokerExtra;
    /** Where the main server serves the KMS enclave (its own origin: {@code http://127.0.0.1:kmsPort}). */
    public final int kmsPort;

    public Suite() throws Exception {
        this(false, null, List.of(), List.of());
    }

    /**
     * A suite with a broker and these main-server settings too; sign-in mail settings
     * ({@code --spring.mail.*}) replace the local inbox.
     */
    public static Suite withBrokerAndMainSettings(List<String> mainSettings) throws Exception {
        return new Suite(true, null, List.of(), mainSettings);
    }

    /** A suite whose relays are claimed with names and reached through a tunnel broker. */
    public static Suite withBroker() throws Exception {
        return new Suite(true, null, List.of(), List.of());
    }

    /** A suite with a broker that takes these settings too (say, its replicas). */
    public static Suite withBrokerSettings(List<String> brokerSettings) throws Exception {
        return new Suite(true, null, brokerSettings, List.of());
    }

    /** The same, with the broker ending TLS itself: relays dial {@code wss://}, names are served over TLS. */
    public static Suite withBroker(BrokerTls tls) throws Exception {
        return new Suite(true, tls, List.of(), List.of());
    }

    /** The same, with these broker settings too. */
    public static Suite withBroker(BrokerTls tls, List<String> brokerSettings) throws Exception {
        return new Suite(true, tls, brokerSettings, List.of());
    }

    private Suite(boolean withBroker, BrokerTls tls, List<String> brokerExtra, List<String> mainExtra) throws Exception {
        this.tls = tls;
        this.kmsPort = ServiceProcess.freePort();
        this.brokerExtra = List.copyOf(brokerExtra);
        int mainPort = ServiceProcess.freePort();
        String operatorHash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(OPERATOR_TOKEN.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        directorySettings = with(TestPostgres.freshDatabase().arguments(),
                "--ats.directory.main-url=http://127.0.0.1:" + mainPort, "--ats.directory.publish-interval=200ms",
                "--ats.directory.operator-token-hash=" + operatorHash);
        directory = keep(ServiceProcess.start("directory", "directory-service", ServiceProcess.freePort(), directorySettings));
        List<String> mainSettings = with(TestPostgres.freshDatabase().arguments(),
                "--ats.main.public-url=http://127.0.0.1:" + mainPort,
                "--ats.main.directory-url=" + directory.url(), "--ats.main.relays.claims-per-account=1000",
                "--ats.main.relays.enrollments-per-ip=1000", "--ats.main.app.kms-port=" + kmsPort,
                "--ats.main.app.kms-origin=http://127.0.0.1:" + kmsPort, "--ats.main.app.tile-url=");
        if (mainExtra.stream().noneMatch(setting -> setting.startsWith("--spring.mail."))) {
            mainSettings = with(mainSettings, "--ats.main.mail.local-inbox=true");
        }
        mainSettings = with(mainSettings, mainExtra.toArray(String[]::new));
        if (withBroker) {
            brokerPublicPort = ServiceProcess.freePort();
            broker = keep(ServiceProcess.start("broker", "tunnel-broker", ServiceProcess.freePort(), brokerSettings()));
            mainSettings = with(mainSettings, "--ats.main.broker-url=" + broker.url());
            relaySettings.add("--ats.relay.broker-urls=" + (tls != null ? "wss" : "ws") + "://127.0.0.1:" + brokerPublicPort + "/v1/tunnel");
            if (tls != null) {
                relayJvmOptions.addAll(List.of("-Djavax.net.ssl.trustStore=" + tls.trustStore(),
                        "-Djavax.net.ssl.trustStorePassword=" + tls.password(), "-Djavax.net.ssl.trustStoreType=PKCS12"));
            }
        } else {
            brokerPublicPort = 0;
            broker = null;
        }
        main = keep(ServiceProcess.start("main", "main-server", mainPort, mainSettings));
    }

    /** The broker's settings; the same public port every time it starts. */
    private List<String> brokerSettings() {
        return overridden(brokerSettings(brokerPublicPort), brokerExtra);
    }

    private List<String> brokerSettings(int publicPort) {
        List<String> settings = new ArrayList<>(List.of("--ats.broker.directory-url=" + directory.url(), "--ats.broker.domain=" + BROKER_DOMAIN,
                "--ats.broker.public-port=" + publicPort, "--ats.broker.public-address=127.0.0.1",
                "--ats.broker.keepalive=500ms"));
        if (tls != null) {
            settings.add("--ats.broker.tls.certificate=" + tls.certificate());
            settings.add("--ats.broker.tls.private-key=" + tls.privateKey());
        }
        return settings;
    }

    /** Another broker on the same directory, serving names on {@code publicPort}. */
    public ServiceProcess startAnotherBroker(String name, int publicPort) throws Exception {
        return keep(ServiceProcess.start(name, "tunnel-broker", ServiceProcess.freePort(), brokerSettings(publicPort)));
    }

    /** Another broker on the same directory, on the given ports, with these settings too (replacing the suite's). */
    public ServiceProcess startAnotherBroker(String name, int apiPort, int publicPort, List<String> extra) throws Exception {
        return keep(ServiceProcess.start(name, "tunnel-broker", apiPort, overridden(brokerSettings(publicPort), extra)));
    }

    /** Starts the directory again after {@link #kill(ServiceProcess)}, on the same port and database. */
    public ServiceProcess restartDirectory() throws Exception {
        return keep(ServiceProcess.start("directory-again", "directory-service", directory.port(), directorySettings));
    }

    /** Starts the broker again after {@link #kill(ServiceProcess)}, on the same ports. */
    public ServiceProcess restartBroker() throws Exception {
        return keep(ServiceProcess.start("broker-again", "tunnel-broker", broker.port(), brokerSettings()));
    }

    /**
     * Waits (30 s at most) until the relay's tunnel is up and the broker serves its name as
     * online; answers the name, which the relay logs when its tunnel comes up.
     */
    public String awaitTunnel(Relay relay) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String line = relay.process.output().lines().filter(l -> l.contains("Tunnel up through")).reduce((a, b) -> b).orElse(null);
            if (line != null) {
                String name = line.replaceAll(".*this relay is ([a-z-]+) at.*", "$1");
                if (json(get(broker, "/v1/names/" + name, null).body()).get("online").asBoolean()) {
                    return name;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(relay.name + " never got its tunnel; its output:\n" + relay.process.output());
    }

    /** Starts {@code count} relays and claims them all for one operator; waits until the directory weighs them all. */
    public List<Relay> claimedRelays(int count) throws Exception {
        for (int i = 0; i < count; i++) {
            Relay relay = new Relay("relay-" + i, ServiceProcess.freePort(), Files.createTempDirectory("e2e-relay").resolve("relay.key"));
            start(relay);
            relays.add(relay);
        }
        for (Relay relay : relays) {
            claim(relay);
        }
        awaitDirectory(directory.url() + "/v1/directory",
                d -> relays.stream().allMatch(r -> d.relay(r.id).map(e -> e.weight() > 0).orElse(false)), Duration.ofSeconds(30));
        return relays;
    }

    /** Another replica of the directory on the same database. */
    public ServiceProcess startDirectoryReplica(String name) throws Exception {
        return keep(ServiceProcess.start(name, "directory-service", ServiceProcess.freePort(), directorySettings));
    }

    /** Claims a started relay for the suite's operator (signing the operator in first if need be). */
    public void claim(Relay relay) throws Exception {
        if (operator == null) {
            operator = signIn("operator@example.com");
        }
        String code = relay.process.awaitOutput(CLAIM_CODE, Duration.ofSeconds(30));
        HttpResponse<String> claimed = post(main, "/v1/relays/claim", "{\"claimCode\":\"" + code + "\"}", operator);
        if (claimed.statusCode() != 201) {
            throw new AssertionError("claim of " + relay.name + " failed: " + claimed.body());
        }
    }

    /** Starts (or starts again) the relay's process, with the same key file and port. */
    public void start(Relay relay) throws Exception {
        List<String> settings = new ArrayList<>(List.of(
                "--ats.relay.main-url=" + main.url(),
                "--ats.relay.directory-url=" + (relay.directoryUrl != null ? relay.directoryUrl : directory.url()),
                "--ats.relay.key-file=" + relay.keyFile, "--ats.relay.public-url=" + relay.ws(),
                "--ats.relay.heartbeat-interval=" + relayHeartbeat, "--ats.relay.publishes-per-second=1000",
                "--ats.relay.publishes-per-second-per-token=1000",
                // Every relay of a suite is listed at a loopback URL: a local run.
                "--ats.relay.link.allow-private-peers=true"));
        settings = overridden(settings, relaySettings);
        relay.starts++;
        relay.process = keep(ServiceProcess.start(relay.name + (relay.starts == 1 ? "" : "-" + relay.starts), "relay-service", relay.port,
                relayJvmOptions, settings));
        relay.id = relay.process.awaitOutput(RELAY_ID, Duration.ofSeconds(10));
    }

    /** Kills the relay's process (as a crash would: no goodbye to its peers). */
    public void kill(Relay relay) throws Exception {
        kill(relay.process);
    }

    public void kill(ServiceProcess service) throws Exception {
        service.kill();
        started.remove(service);
    }

    /** The directory operator sets N; the next version carries it. */
    public void setRootsPerTree(int n) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(directory.url() + "/v1/operator/roots-per-tree"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + OPERATOR_TOKEN)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"rootsPerTree\":" + n + "}")).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("setting N failed: " + response.body());
        }
    }

    /** A fresh relay-access token from the main server. */
    public String relayToken() throws Exception {
        HttpResponse<String> response = post(main, "/v1/relay-tokens", "", operator);
        return JSON.readTree(response.body()).get("token").asString();
    }

    /** Where sign-in mail is read when the main server sends it over SMTP (see {@link #withBrokerAndMainSettings}). */
    public interface Mailbox {
        /** The text of the newest mail to {@code email}, or an empty string. */
        String lastMailTo(String email) throws Exception;
    }

    /** Set before anyone signs in when mail goes over SMTP; null: the main server's local inbox. */
    public Mailbox mailbox;

    public String signIn(String email) throws Exception {
        if (post(main, "/v1/auth/email/start", "{\"email\":\"" + email + "\"}", null).statusCode() != 202) {
            throw new AssertionError("sign-in start failed for " + email);
        }
        Pattern mailCode = Pattern.compile(Pattern.quote(email) + ".*?([2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4})", Pattern.DOTALL);
        for (int i = 0; i < 50; i++) {
            Matcher matcher = mailbox != null
                    ? Pattern.compile("([2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4})").matcher(mailbox.lastMailTo(email))
                    : mailCode.matcher(get(main, "/local/inbox", null).body());
            if (matcher.find()) {
                HttpResponse<String> tokens = post(main, "/v1/auth/email/verify",
                        "{\"email\":\"" + email + "\",\"code\":\"" + matcher.group(1) + "\"}", null);
                return JSON.readTree(tokens.body()).get("accessToken").asString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no sign-in code for " + email + (mailbox != null ? " in the mailbox" : " in the local inbox"));
    }

    public Directory awaitDirectory(String url, Predicate<Directory> condition, Duration wait) throws Exception {
        String key = JSON.readTree(get(directory, "/v1/directory/key", null).body()).get("publicKey").asString();
        long deadline = System.nanoTime() + wait.toNanos();
        Directory last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                last = SignedDirectory.parse(response.body()).verifiedWith(Ed25519.publicKey(Base64.getUrlDecoder().decode(key)));
                if (condition.test(last)) {
                    return last;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(url + " never served a version meeting the condition within " + wait + "; last " + last);
    }

    /** A relay's Prometheus value for {@code series} (the first line that starts with it), or -1. */
    public double metric(Relay relay, String series) throws Exception {
        return metric(relay.process, series);
    }

    /** A Prometheus series' value at a service (the first line of it), read on its management port; -1 if absent. */
    public double metric(ServiceProcess service, String series) throws Exception {
        return metric(service.managementUrl(), series);
    }

    private double metric(String baseUrl, String series) throws Exception {
        for (String line : http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body().lines().toList()) {
            if (line.startsWith(series + " ") || line.startsWith(series + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    public HttpResponse<String> get(ServiceProcess service, String path, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url() + path));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(ServiceProcess service, String path, String body, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private ServiceProcess keep(ServiceProcess service) {
        started.add(service);
        return service;
    }

    @Override
    public void close() throws Exception {
        for (ServiceProcess service : started.reversed()) {
            service.close();
        }
    }

    /** {@code settings} with {@code extra} added; one given again replaces the first (Spring would join the two with a comma). */
    private static List<String> overridden(List<String> settings, List<String> extra) {
        List<String> all = new ArrayList<>(settings);
        for (String setting : extra) {
            String key = setting.substring(0, setting.indexOf('=') + 1);
            all.removeIf(existing -> existing.startsWith(key));
            all.add(setting);
        }
        return all;
    }

    public static List<String> with(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    public static JsonNode json(String text) {
        return JSON.readTree(text);
    }
}
