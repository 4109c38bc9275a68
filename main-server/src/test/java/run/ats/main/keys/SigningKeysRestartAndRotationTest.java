package run.ats.main.keys;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;
import run.ats.main.MainServerApplication;
import run.ats.main.account.Accounts;
import run.ats.main.session.SessionTokens;
import run.ats.main.session.TokenPair;
import run.ats.main.testsupport.TestPostgres;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Keys live in the database: they survive restarts, and rotation is an operator command that logs nobody out. */
class SigningKeysRestartAndRotationTest {

    private final run.ats.testkit.TestPostgres.Database database = TestPostgres.freshDatabase();
    private final List<ConfigurableApplicationContext> running = new ArrayList<>();

    @AfterEach
    void stop() {
        running.forEach(ConfigurableApplicationContext::close);
    }

    private String[] settings() {
        return new String[]{
                "--server.port=0", "--management.server.port=0",
                "--spring.r2dbc.url=" + database.r2dbcUrl(),
                "--spring.r2dbc.username=" + database.username(),
                "--spring.r2dbc.password=" + database.password(),
                "--ats.main.mail.local-inbox=true",
                "--ats.main.tokens.key-reload-interval=200ms"};
    }

    private ConfigurableApplicationContext startServer() {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(MainServerApplication.class).run(settings());
        running.add(context);
        return context;
    }

    private static WebTestClient client(ConfigurableApplicationContext context) {
        return WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"))
                .build();
    }

    private static TokenPair signIn(ConfigurableApplicationContext context, String email) {
        var account = context.getBean(Accounts.class).findOrCreate(email).block(Duration.ofSeconds(10));
        return context.getBean(SessionTokens.class).start(account.id()).block(Duration.ofSeconds(10));
    }

    private static List<String> kids(WebTestClient client) {
        JsonNode jwks = client.get().uri("/.well-known/jwks.json").exchange()
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        List<String> kids = new ArrayList<>();
        jwks.get("keys").forEach(k -> kids.add(k.get("kid").asString()));
        return kids;
    }

    private static String kidOf(String jwt) {
        return JsonMapper.builder().build().readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[0])).get("kid").asString();
    }

    @Test
    void tokensSurviveARestart() {
        ConfigurableApplicationContext first = startServer();
        TokenPair tokens = signIn(first, "restart@example.com");
        List<String> kidsBefore = kids(client(first));
        first.close();

        ConfigurableApplicationContext second = startServer();
        assertThat(kids(client(second))).isEqualTo(kidsBefore);
        client(second).get().uri("/v1/me").headers(h -> h.setBearerAuth(tokens.accessToken())).exchange()
                .expectStatus().isOk();
    }

    @Test
    void rotationPublishesANewKeyAndKeepsOldTokensValid() throws Exception {
        ConfigurableApplicationContext server = startServer();
        WebTestClient client = client(server);
        TokenPair before = signIn(server, "rotate@example.com");
        String oldKid = kidOf(before.accessToken());

        // The operator command, as `java -jar main-server.jar rotate-signing-key` runs it.
        String[] args = new String[settings().length + 1];
        args[0] = RotateSigningKeyCommand.COMMAND;
        System.arraycopy(settings(), 0, args, 1, settings().length);
        SpringApplication command = new SpringApplication(MainServerApplication.class);
        assertThat(RotateSigningKeyCommand.prepare(command, args)).isTrue();
        command.run(args).close();

        Thread.sleep(400); // past ats.main.tokens.key-reload-interval
        List<String> kids = kids(client);
        assertThat(kids).hasSize(2).contains(oldKid);
        String newKid = kids.getFirst();
        assertThat(newKid).isNotEqualTo(oldKid);

        client.get().uri("/v1/me").headers(h -> h.setBearerAuth(before.accessToken())).exchange().expectStatus().isOk();
        TokenPair after = signIn(server, "rotate@example.com");
        assertThat(kidOf(after.accessToken())).isEqualTo(newKid);
        client.get().uri("/v1/me").headers(h -> h.setBearerAuth(after.accessToken())).exchange().expectStatus().isOk();
    }
}
