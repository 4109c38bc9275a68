package run.ats.broker.front;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of how the broker reads who a request is for: raw bytes through the
 * public port's HTTP decoder (as {@link PublicServer} sets it up), then the checks
 * {@link FrontHandler} makes before anything goes to a relay (an origin-form target, exactly one
 * Host, the name under the domain, the allow-list). Whatever the bytes, nothing throws and no
 * request routes to a name its Host does not spell ({@link HostRules}). Seeds in
 * {@code RequestHeadFuzzTestInputs/}.
 */
class RequestHeadFuzzTest {

    private static final List<String> DOMAINS = List.of("relays.localhost", "ats.run");

    /** A Host value alone, read as Netty reads header bytes (ISO-8859-1) and as UTF-8 text another front end might pass. */
    @FuzzTest(maxDuration = "20s")
    void hostHeader(byte[] bytes) {
        for (String host : List.of(new String(bytes, StandardCharsets.ISO_8859_1), new String(bytes, StandardCharsets.UTF_8))) {
            for (String domain : DOMAINS) {
                HostRules.check(host, domain, Routes.name(host, domain));
            }
        }
    }

    /** Request heads, pipelined if the bytes hold several, through the decoder and the broker's checks. */
    @FuzzTest(maxDuration = "20s")
    void requestHeads(byte[] bytes) {
        EmbeddedChannel decoder = new EmbeddedChannel(new HttpServerCodec(4096, 16 * 1024, 16 * 1024));
        try {
            decoder.writeInbound(Unpooled.wrappedBuffer(bytes));
            for (Object in; (in = decoder.readInbound()) != null; ) {
                try {
                    if (in instanceof HttpRequest request && request.decoderResult().isSuccess()) {
                        check(request);
                    }
                } finally {
                    ReferenceCountUtil.release(in);
                }
            }
        } finally {
            decoder.finishAndReleaseAll();
        }
    }

    private static void check(HttpRequest request) {
        String target = request.uri();
        Optional<String> path = Routes.path(target);
        if (path.isEmpty()) {
            if (target.startsWith("/")) {
                throw new AssertionError("origin-form target " + target + " has no path");
            }
            return; // 400 bad-request-target
        }
        if (!target.startsWith(path.get()) || path.get().indexOf('?') >= 0 || !path.get().startsWith("/")) {
            throw new AssertionError("path " + path.get() + " from target " + target);
        }
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() != 1) {
            return; // 400 bad-host
        }
        for (String domain : DOMAINS) {
            HostRules.check(hosts.getFirst(), domain, Routes.name(hosts.getFirst(), domain));
        }
        if (Routes.forwarded(request.method(), path.get()) && !Routes.FORWARDED.containsKey(path.get())) {
            throw new AssertionError("forwarded " + request.method() + " " + path.get() + ", which is not on the allow-list");
        }
    }
}
