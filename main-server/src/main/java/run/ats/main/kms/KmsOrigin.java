package run.ats.main.kms;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import run.ats.main.MainProperties;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Serves the KMS enclave (module {@code web-pwa}) on a listener of its own, so it has an origin of
 * its own ({@code kms.<domain>} in production, another port locally). Only the release's files and
 * {@code /config.json} (the one app origin the enclave answers) are served, with the headers the
 * enclave's safety rests on and the KMS verifier checks: {@code frame-ancestors} naming that app
 * origin alone, {@code nosniff}, the entry page revalidated on every load. The files are read into
 * memory once at start (a few kilobytes), so no request touches the disk.
 */
@Component
public final class KmsOrigin implements SmartLifecycle {

    static final String ROOT = "META-INF/ats/kms/";
    private static final Logger log = LoggerFactory.getLogger(KmsOrigin.class);

    private record File(byte[] bytes, String type, String cacheControl) {
    }

    private final MainProperties properties;
    private final Map<String, File> files = new HashMap<>();
    private final String policy;
    private volatile DisposableServer server;

    KmsOrigin(MainProperties properties) {
        this.properties = properties;
        String appOrigin = properties.issuer().replaceAll("^(\\w+://[^/]+).*$", "$1");
        this.policy = "default-src 'none'; script-src 'self'; worker-src 'self'; connect-src 'self'; "
                + "frame-ancestors " + appOrigin + "; base-uri 'none'; form-action 'none'";
        files.put("config.json", new File(("{\"appOrigin\":\"" + appOrigin + "\"}").getBytes(StandardCharsets.UTF_8),
                "application/json", "no-cache"));
    }

    /** The port it listens on; -1 when it does not. */
    public int port() {
        DisposableServer running = server;
        return running == null ? -1 : running.port();
    }

    @Override
    public void start() {
        if (properties.app().kmsPort() < 0) {
            log.info("KMS enclave not served here (ats.main.app.kms-port=-1); the app frames {}", properties.app().kmsOriginText());
            return;
        }
        load();
        server = HttpServer.create()
                .host(properties.app().kmsAddress())
                .port(properties.app().kmsPort())
                .route(routes -> routes.get("/**", this::serve).head("/**", this::serve).route(request -> true, this::notAllowed))
                .bindNow();
        log.info("KMS enclave served on {}:{} ({} files); browsers load it as {}, framed by {} only",
                properties.app().kmsAddress(), server.port(), files.size() - 1, properties.app().kmsOriginText(), properties.issuer());
    }

    private void load() {
        try {
            for (Resource resource : new PathMatchingResourcePatternResolver().getResources("classpath*:" + ROOT + "**")) {
                String url = resource.getURL().toString();
                String path = url.substring(url.lastIndexOf(ROOT) + ROOT.length());
                if (path.isEmpty() || path.endsWith("/") || !resource.isReadable()) {
                    continue;
                }
                try (InputStream in = resource.getInputStream()) {
                    files.put(path, new File(in.readAllBytes(), type(path),
                            path.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the KMS enclave's files could not be read", e);
        }
        if (!files.containsKey("index.html")) {
            throw new IllegalStateException("the KMS enclave is missing from the class path (" + ROOT + "index.html)");
        }
    }

    private Mono<Void> serve(HttpServerRequest request, HttpServerResponse response) {
        String path = request.fullPath().replaceFirst("^/", "");
        File file = files.get(path.isEmpty() ? "index.html" : path);
        headers(response);
        if (file == null) {
            return response.status(HttpResponseStatus.NOT_FOUND).header(HttpHeaderNames.CONTENT_TYPE, "text/plain").sendString(Mono.just("not found\n")).then();
        }
        response.header(HttpHeaderNames.CONTENT_TYPE, file.type())
                .header(HttpHeaderNames.CACHE_CONTROL, file.cacheControl());
        if (request.method().name().equals("HEAD")) {
            return response.header(HttpHeaderNames.CONTENT_LENGTH, String.valueOf(file.bytes().length)).send();
        }
        return response.sendByteArray(Mono.just(file.bytes())).then();
    }

    private Mono<Void> notAllowed(HttpServerRequest request, HttpServerResponse response) {
        headers(response);
        return response.status(HttpResponseStatus.METHOD_NOT_ALLOWED).header(HttpHeaderNames.ALLOW, "GET, HEAD").send();
    }

    private void headers(HttpServerResponse response) {
        response.header("Content-Security-Policy", policy)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .header("Cross-Origin-Resource-Policy", "same-origin");
    }

    private static String type(String path) {
        if (path.endsWith(".html")) return "text/html; charset=utf-8";
        if (path.endsWith(".js")) return "text/javascript; charset=utf-8";
        if (path.endsWith(".css")) return "text/css; charset=utf-8";
        if (path.endsWith(".json")) return "application/json";
        return "application/octet-stream";
    }

    @Override
    public void stop() {
        DisposableServer running = server;
        if (running != null) {
            running.disposeNow();
            server = null;
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }
}
