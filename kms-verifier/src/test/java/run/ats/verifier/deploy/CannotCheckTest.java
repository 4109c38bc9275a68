package run.ats.verifier.deploy;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import run.ats.verifier.testsupport.HostileOrigin;
import run.ats.verifier.testsupport.Http;
import run.ats.verifier.testsupport.TestPostgres;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An origin that breaks the check instead of failing it: whatever it answers (a malformed
 * redirect, garbage, a broken body, a reset), {@code /v1/verify} reports "cannot check" and the
 * monitor's gauge says -1, which the cannot-check alert watches. Nothing answers 500, nothing
 * keeps an old verdict.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.verifier.verify-cache=0s", "ats.verifier.fetch.allow-loopback=true", "ats.verifier.fetch.timeout=2s",
        "ats.verifier.fetch.total=10s", "ats.verifier.monitor.interval=1s", "ats.verifier.monitor.jitter=0.1"})
class CannotCheckTest {

    private static final HostileOrigin ORIGIN = start();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PAGE = "<!doctype html><html><head><script type=\"module\" src=\"/a.js\"></script></head></html>";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestPostgres.freshDatabase(registry);
        registry.add("ats.verifier.origins", () -> ORIGIN.origin().toString());
    }

    @LocalServerPort
    int port;
    @Autowired
    MeterRegistry meters;

    @AfterAll
    static void stop() throws IOException {
        ORIGIN.close();
    }

    static Stream<Arguments> brokenAnswers() {
        return Stream.of(
                Arguments.of("a Location with a space", redirect("/a b")),
                Arguments.of("a Location with a bad escape", redirect("/%zz")),
                Arguments.of("a Location with an unclosed IPv6 host", redirect("http://[::1/")),
                Arguments.of("a Location with a bad scheme", redirect("ht!tp://x/")),
                Arguments.of("a Location of another scheme", redirect("file:///etc/passwd")),
                Arguments.of("a Location of 20,000 characters", redirect("/" + "a".repeat(20_000))),
                Arguments.of("an empty Location", redirect("")),
                Arguments.of("garbage instead of HTTP", HostileOrigin.Raw.of("HELLO\r\n\r\n")),
                Arguments.of("a broken chunked body", HostileOrigin.Raw.of(
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")),
                Arguments.of("a body shorter than announced", HostileOrigin.Raw.of(
                        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nshort")),
                Arguments.of("a header of 100 KB", HostileOrigin.Raw.of("HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(100_000)
                        + "\r\nContent-Length: 0\r\n\r\n")),
                Arguments.of("a reset", new HostileOrigin.Reset()));
    }

    @ParameterizedTest(name = "the entry page: {0}")
    @MethodSource("brokenAnswers")
    void aBrokenEntryPageIsReportedAsCannotCheck(String name, HostileOrigin.Answer answer) throws Exception {
        ORIGIN.answer("/", answer);
        assertCannotCheck(verify(), name);
    }

    @ParameterizedTest(name = "a script: {0}")
    @MethodSource("brokenAnswers")
    void aBrokenScriptIsReportedAsCannotCheck(String name, HostileOrigin.Answer answer) throws Exception {
        ORIGIN.answer("/", HostileOrigin.ok(PAGE, "Content-Type: text/html"));
        ORIGIN.answer("/a.js", answer);
        JsonNode report = verify();
        // A redirect elsewhere or a refused target is a refusal the report lists; anything else stops the check.
        if (!report.get("verdict").asString().equals("mismatch")) {
            assertCannotCheck(report, name);
        } else {
            assertThat(report.get("problems").toString()).as(name).contains("a.js");
        }
    }

    @Test
    void theMonitorsGaugeMovesToCannotCheckWhenTheOriginBreaksTheCheck() throws Exception {
        // First a page in no logged release: a mismatch, 0.
        ORIGIN.answer("/", HostileOrigin.ok("<!doctype html><p>not released</p>", "Content-Type: text/html"));
        awaitGauge(0);
        // Then a malformed redirect: the gauge must not keep 0 (nor any older value).
        ORIGIN.answer("/", redirect("/%zz"));
        awaitGauge(-1);
        assertThat(meters.find("ats.verifier.checks").tag("origin", ORIGIN.origin().toString()).tag("verdict", "cannot-check")
                .counter()).isNotNull();
        ORIGIN.answer("/", HostileOrigin.ok("<!doctype html><p>not released</p>", "Content-Type: text/html"));
        awaitGauge(0);
        ORIGIN.answer("/", new HostileOrigin.Reset());
        awaitGauge(-1);
    }

    @Test
    void theFetcherAsksAsABrowserDoes() throws Exception {
        ORIGIN.answer("/", HostileOrigin.ok(PAGE, "Content-Type: text/html"));
        ORIGIN.answer("/a.js", HostileOrigin.ok("new Worker('/w.js')", "Content-Type: text/javascript"));
        ORIGIN.answer("/w.js", HostileOrigin.ok("self.onmessage = () => {};", "Content-Type: text/javascript"));
        int before = ORIGIN.requests().size();
        verify();
        java.util.List<String> heads = ORIGIN.requests().subList(before, ORIGIN.requests().size());
        String page = heads.stream().filter(head -> head.startsWith("GET / ")).findFirst().orElseThrow();
        String script = heads.stream().filter(head -> head.startsWith("GET /a.js ")).findFirst().orElseThrow();
        String worker = heads.stream().filter(head -> head.startsWith("GET /w.js ")).findFirst().orElseThrow();
        for (String head : heads) {
            assertThat(head).containsPattern("(?im)^user-agent: Mozilla/5\\.0 \\(Windows NT 10\\.0; Win64; x64\\).* Chrome/\\d+")
                    .doesNotContainPattern("(?i)ats|verifier|reactor|netty|java")
                    .containsPattern("(?im)^accept-language: en-US");
        }
        assertThat(page).containsPattern("(?im)^accept: text/html,").containsPattern("(?im)^sec-fetch-dest: document")
                .containsPattern("(?im)^sec-fetch-mode: navigate").containsPattern("(?im)^sec-fetch-user: \\?1");
        assertThat(script).containsPattern("(?im)^accept: \\*/\\*").containsPattern("(?im)^sec-fetch-dest: script");
        assertThat(worker).containsPattern("(?im)^sec-fetch-dest: worker");
    }

    private static HostileOrigin.Raw redirect(String location) {
        return HostileOrigin.Raw.of("HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }

    private static void assertCannotCheck(JsonNode report, String name) {
        assertThat(report.get("verdict").asString()).as(name + ": " + report).isEqualTo("cannot-check");
        assertThat(report.get("problems").get(0).asString()).as(name).startsWith("cannot check");
    }

    private JsonNode verify() throws IOException, InterruptedException {
        HttpResponse<String> response = new Http(port).get("/v1/verify?origin="
                + URLEncoder.encode(ORIGIN.origin().toString(), StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private void awaitGauge(double value) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        double last = Double.NaN;
        while (Instant.now().isBefore(deadline)) {
            last = meters.get("ats.verifier.origin.match").tag("origin", ORIGIN.origin().toString()).gauge().value();
            if (last == value) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the gauge stayed at " + last + ", never " + value);
    }

    private static HostileOrigin start() {
        try {
            return new HostileOrigin();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
