package run.ats.directory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import run.ats.directory.testsupport.MainServerKeys;
import run.ats.directory.testsupport.TestPostgres;
import run.ats.protocol.crypto.Ed25519;
import run.ats.protocol.directory.RelayHeartbeat;
import run.ats.protocol.directory.SignedDirectory;
import run.ats.protocol.relay.RelayId;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three replicas on one database, registrations and heartbeats spread over them: they issue
 * one sequence of versions, signed by one key, and all serve the same newest version.
 */
class ReplicasTest {

    private static final List<ConfigurableApplicationContext> replicas = new ArrayList<>();
    private static MainServerKeys main;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startReplicas() throws Exception {
        main = new MainServerKeys();
        var database = TestPostgres.freshDatabase();
        for (int i = 0; i < 3; i++) {
            replicas.add(new SpringApplicationBuilder(DirectoryApplication.class).run(
                    "--server.port=0", "--server.address=127.0.0.1", "--management.server.port=0",
                    "--spring.r2dbc.url=" + database.r2dbcUrl(), "--spring.r2dbc.username=" + database.username(),
                    "--spring.r2dbc.password=" + database.password(),
                    "--ats.directory.main-url=" + main.url(), "--ats.directory.publish-interval=100ms"));
        }
    }

    @AfterAll
    static void stopReplicas() {
        replicas.forEach(ConfigurableApplicationContext::close);
        main.close();
    }

    @Test
    void replicasIssueOneSequenceAndServeTheSameNewestVersion() throws Exception {
        for (int i = 0; i < 6; i++) {
            KeyPair relay = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            String key = Base64.getUrlEncoder().withoutPadding().encodeToString(Ed25519.raw(relay.getPublic()));
            assertThat(send(i % 3, "/v1/relays", "{\"publicKey\":\"" + key + "\",\"url\":\"wss://r" + i + ".example/v1/link\"}",
                    main.serviceToken("ats-directory")).statusCode()).isEqualTo(201);
            String id = RelayId.of(relay.getPublic());
            assertThat(send((i + 1) % 3, "/v1/relays/" + id + "/heartbeats",
                    RelayHeartbeat.sign(id, System.currentTimeMillis(), 3600, 1, 1, relay.getPrivate()).toJson(), null).statusCode())
                    .isEqualTo(204);
        }

        // Every replica signs with the one key and, within a few ticks, serves the same newest version.
        String key = get(0, "/v1/directory/key").body();
        assertThat(get(1, "/v1/directory/key").body()).isEqualTo(key);
        assertThat(get(2, "/v1/directory/key").body()).isEqualTo(key);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> newest;
        do {
            Thread.sleep(200);
            newest = List.of(get(0, "/v1/directory").body(), get(1, "/v1/directory").body(), get(2, "/v1/directory").body());
        } while ((!newest.get(0).equals(newest.get(1)) || !newest.get(1).equals(newest.get(2))
                || SignedDirectory.parse(newest.get(0)).directory().relays().stream().filter(r -> r.weight() > 0).count() < 6)
                && System.nanoTime() < deadline);
        assertThat(newest).containsOnly(newest.getFirst());
        assertThat(SignedDirectory.parse(newest.getFirst()).directory().relays()).hasSize(6).allMatch(r -> r.weight() == 4);
    }

    private HttpResponse<String> get(int replica, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(replica, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(int replica, String path, String body, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(replica, path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(int replica, String path) {
        int port = ((WebServerApplicationContext) replicas.get(replica)).getWebServer().getPort();
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
