package run.ats.verifier.deploy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.scheduler.Schedulers;
import run.ats.verifier.testsupport.Http;
import run.ats.verifier.testsupport.KmsSite;
import run.ats.verifier.testsupport.TestPostgres;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The verifier fetches public addresses of allow-listed origins only, within size and time caps. */
class SsrfTest {

    private static final KmsSite SITE = KmsSite.start();

    @AfterAll
    static void stopSite() {
        SITE.close();
    }

    @ParameterizedTest(name = "{0} refused: {1}")
    @CsvSource({
            "127.0.0.1, loopback", "::1, loopback", "169.254.169.254, link-local", "fe80::1, link-local",
            "10.0.0.1, private", "172.16.5.4, private", "192.168.1.1, private", "100.64.0.1, carrier-grade NAT",
            "0.0.0.0, unspecified", "fd00::1, unique local", "::ffff:127.0.0.1, loopback", "::ffff:169.254.169.254, link-local",
            "64:ff9b::a9fe:a9fe, link-local", "224.0.0.1, multicast", "240.0.0.1, reserved", "198.18.0.1, benchmarking"})
    void internalAddressesAreRefused(String address, String why) throws IOException {
        assertThatThrownBy(() -> AddressPolicy.publicOnly(false).check(InetAddress.getByName(address)))
                .isInstanceOf(UnsafeFetchException.class).hasMessageContaining(why);
    }

    @ParameterizedTest
    @CsvSource({"93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "1.1.1.1"})
    void publicAddressesPass(String address) throws IOException {
        AddressPolicy.publicOnly(false).check(InetAddress.getByName(address));
    }

    @Test
    void redirectsLeaveTheOriginNever() {
        SiteFetcher fetcher = fetcher(1 << 20, Duration.ofSeconds(5));
        SITE.redirect("/to-private", "http://10.0.0.1/index.html");
        SITE.redirect("/to-other-port", "http://127.0.0.1:" + (SITE.port() == 1 ? 2 : 1) + "/");
        SITE.redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/");
        SITE.redirect("/same-origin", "/icon.svg");
        for (String path : List.of("/to-private", "/to-other-port", "/to-metadata")) {
            assertThatThrownBy(() -> fetcher.fetch(SITE.origin().resolve(path)).block(Duration.ofSeconds(10)))
                    .as(path).isInstanceOf(UnsafeFetchException.class).hasMessageContaining("another origin");
        }
        assertThat(fetcher.fetch(SITE.origin().resolve("/same-origin")).block(Duration.ofSeconds(10)).body())
                .isEqualTo(SITE.get("icon.svg"));
    }

    @Test
    void oversizedBodiesAreRefusedWhetherAnnouncedOrStreamed() {
        SiteFetcher fetcher = fetcher(64 * 1024, Duration.ofSeconds(5));
        SITE.put("big.js", new byte[3 * 1024 * 1024]);
        SITE.put("big-chunked.js", new byte[3 * 1024 * 1024]);
        SITE.chunked("big-chunked.js");
        for (String path : List.of("/big.js", "/big-chunked.js")) {
            assertThatThrownBy(() -> fetcher.fetch(SITE.origin().resolve(path)).block(Duration.ofSeconds(10)))
                    .as(path).isInstanceOf(UnsafeFetchException.class).hasMessageContaining("larger than");
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    accepted.add(silent.accept());
                } catch (IOException e) {
                    // closed by the test
                }
            });
            SiteFetcher fetcher = fetcher(1 << 20, Duration.ofMillis(800));
            long started = System.nanoTime();
            assertThatThrownBy(() -> fetcher.fetch(URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/"))
                    .block(Duration.ofSeconds(10))).isInstanceOf(UnsafeFetchException.class).hasMessageContaining("longer than");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            acceptor.interrupt();
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    private static SiteFetcher fetcher(long maxBytes, Duration timeout) {
        return new SiteFetcher(AddressPolicy.publicOnly(true), maxBytes, timeout, 3, Schedulers.boundedElastic());
    }

    /** The service as deployed (loopback not allowed), with internal origins allow-listed by mistake. */
    @Nested
    @SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
            "ats.verifier.verify-cache=0s", "ats.verifier.monitor.enabled=false", "ats.verifier.fetch.timeout=3s"})
    class DeployedService {

        @DynamicPropertySource
        static void properties(DynamicPropertyRegistry registry) {
            TestPostgres.freshDatabase(registry);
            registry.add("ats.verifier.origins", () -> String.join(",", SITE.origin().toString(), "http://169.254.169.254",
                    "http://localhost:" + SITE.port(), "http://[::ffff:127.0.0.1]:" + SITE.port(), "http://10.0.0.1"));
        }

        @LocalServerPort
        int port;

        @ParameterizedTest(name = "{0}")
        @CsvSource({"http://127.0.0.1:{port}, loopback", "http://169.254.169.254, link-local", "http://localhost:{port}, loopback",
                "http://[::ffff:127.0.0.1]:{port}, loopback", "http://10.0.0.1, private"})
        void internalOriginsAreRefusedEvenWhenAllowListed(String origin, String why) throws Exception {
            String url = origin.replace("{port}", Integer.toString(SITE.port()));
            var response = new Http(port).get("/v1/verify?origin=" + URLEncoder.encode(url, StandardCharsets.UTF_8));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode report = JsonMapper.builder().build().readTree(response.body());
            assertThat(report.get("verdict").asString()).isEqualTo("cannot-check");
            assertThat(report.get("problems").toString()).contains(why);
        }
    }
}
