package run.ats.broker.front;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Routing by Host and request target, as a table: what reaches relay {@code calm-aqua-harbor} and what reaches nothing. */
class RoutesTest {

    private static final String DOMAIN = "ats.run";

    @ParameterizedTest
    @ValueSource(strings = {"calm-aqua-harbor.ats.run", "CALM-Aqua-HARBOR.ATS.RUN", "calm-aqua-harbor.ats.run.",
            "calm-aqua-harbor.ats.run:443", "calm-aqua-harbor.ats.run.:8443", "calm-aqua-harbor.ats.run:0"})
    void everySpellingOfTheNameRoutesToIt(String host) {
        assertThat(Routes.name(host, DOMAIN)).contains("calm-aqua-harbor");
    }

    @ParameterizedTest
    @ValueSource(strings = {"calm-aqua-harbor.ats.run.evil.example", "x.calm-aqua-harbor.ats.run", "calm-aqua-harbor.ats.run..",
            "calm-aqua-harbor.ats.run:", "calm-aqua-harbor.ats.run:123456", "calm-aqua-harbor.ats.run:+443",
            "calm-aqua-harbor.ats.run:80:80", "calm-aqua-harbor.ats.run: 80", "user@calm-aqua-harbor.ats.run",
            "calm-aqua-harbor.ats.run@evil.example", "[calm-aqua-harbor.ats.run]", "calm-aqua-harbor.ats.run/",
            "calm-aqua-harbor%2eats.run", "calm-aqua-harbor.ats.run\u0000", " calm-aqua-harbor.ats.run",
            "calm-aqua-harbor .ats.run", "calm-aqua-harbor.ats.run\t", "ats.run", ".ats.run", "calm-aqua-harbor",
            "xn--calm-aqua-harbr-ttb.ats.run", "calm-aqua-harbor.xn--ats-run.run", "[::1]:443", "127.0.0.1", ""})
    void hostileHostsRouteNowhere(String host) {
        assertThat(Routes.name(host, DOMAIN)).as(HostRules.printable(host)).isEmpty();
    }

    /**
     * Found by fuzzing ({@link RequestHeadFuzzTest#hostHeader}): the Kelvin sign lower-cases to
     * {@code k}, so {@code \u212Aind-aqua-harbor} routed to relay {@code kind-aqua-harbor}; so did other
     * look-alikes that lower-case into ASCII. Netty reads header bytes as ISO-8859-1, so over HTTP/1.1
     * this never arrived whole; the function no longer depends on that.
     */
    @ParameterizedTest
    @ValueSource(strings = {"\u212Aind-aqua-harbor.ats.run", "\u212AIND-AQUA-HARBOR.ATS.RUN", "\u0130dle-aqua-harbor.ats.run",
            "k\u0131nd-aqua-harbor.ats.run", "kind-\u0430qua-harbor.ats.run", "kind-aqua-harbor.\uff41ts.run", "\u017Fkilled-aqua-fog.ats.run"})
    void aLookAlikeThatLowerCasesIntoANameRoutesNowhere(String host) {
        assertThat(Routes.name(host, DOMAIN)).as(HostRules.printable(host)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "GET http://calm-aqua-harbor.ats.run/v1/ws HTTP/1.1\\r\\nHost: calm-aqua-harbor.ats.run  | bad-request-target",
            "GET calm-aqua-harbor.ats.run:443 HTTP/1.1\\r\\nHost: calm-aqua-harbor.ats.run           | bad-request-target",
            "OPTIONS * HTTP/1.1\\r\\nHost: calm-aqua-harbor.ats.run                                 | bad-request-target",
            "GET /v1/ws HTTP/1.1\\r\\nHost: calm-aqua-harbor.ats.run\\r\\nHost: evil.ats.run          | bad-host",
            "GET /v1/ws HTTP/1.1\\r\\nHost: evil.ats.run\\r\\nHost: calm-aqua-harbor.ats.run          | bad-host",
            "GET /v1/ws HTTP/1.1\\r\\nHOST: calm-aqua-harbor.ats.run\\r\\nhost: calm-aqua-harbor.ats.run | bad-host",
            "GET /v1/ws HTTP/1.0                                                                    | bad-host",
            "GET //calm-aqua-harbor.ats.run/v1/ws HTTP/1.1\\r\\nHost: calm-aqua-harbor.ats.run        | not-a-relay-endpoint",
            "GET /v1/ws?x=/actuator HTTP/1.1\\r\\nHost: CALM-aqua-harbor.ats.run.:443                 | calm-aqua-harbor /v1/ws",
            "HEAD /v1/directory HTTP/1.1\\r\\nHost: calm-aqua-harbor.ats.run                          | calm-aqua-harbor /v1/directory"})
    void requestHeadsThroughTheDecoder(String head, String verdict) {
        EmbeddedChannel decoder = new EmbeddedChannel(new HttpServerCodec(4096, 16 * 1024, 16 * 1024));
        decoder.writeInbound(Unpooled.copiedBuffer(head.strip().replace("\\r\\n", "\r\n") + "\r\n\r\n", StandardCharsets.ISO_8859_1));
        HttpRequest request = decoder.readInbound();
        decoder.finishAndReleaseAll();
        assertThat(request.decoderResult().isSuccess()).isTrue();
        assertThat(verdict(request)).isEqualTo(verdict.strip());
    }

    /** The order of FrontHandler's checks, on one request head. */
    private static String verdict(HttpRequest request) {
        Optional<String> path = Routes.path(request.uri());
        if (path.isEmpty()) {
            return "bad-request-target";
        }
        if (request.headers().getAll(HttpHeaderNames.HOST).size() != 1) {
            return "bad-host";
        }
        Optional<String> name = Routes.name(request.headers().get(HttpHeaderNames.HOST), DOMAIN);
        if (name.isEmpty()) {
            return "unknown-name";
        }
        return Routes.forwarded(request.method(), path.get()) ? name.get() + " " + path.get() : "not-a-relay-endpoint";
    }
}
