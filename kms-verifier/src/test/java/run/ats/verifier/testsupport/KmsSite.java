package run.ats.verifier.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import run.ats.protocol.crypto.Ed25519;
import run.ats.verifier.release.SignedStatement;
import run.ats.verifier.sri.Sri;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * A deployed KMS on a real HTTP server at 127.0.0.1: an entry page that loads a script and a
 * style sheet with SRI, a script that starts a worker, and an icon nothing references. Files
 * and headers can be changed between verifications, the way a compromised host would change them.
 */
public final class KmsSite implements AutoCloseable {

    public static final String ENTRY_HEADERS_CSP = "default-src 'self'; frame-ancestors http://app.localhost:5173";

    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, String> entryHeaders = new ConcurrentHashMap<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    private final java.util.Set<String> chunked = ConcurrentHashMap.newKeySet();

    public KmsSite() throws IOException {
        String worker = "self.onmessage = (event) => self.postMessage({ ok: true, id: event.data.id });\n";
        String style = "body { font-family: sans-serif; }\n";
        String script = "const worker = new Worker(new URL(\"/assets/worker-1.js\", import.meta.url), { type: \"module\" });\n"
                + "window.addEventListener(\"message\", (event) => worker.postMessage(event.data));\n";
        files.put("assets/worker-1.js", worker.getBytes(StandardCharsets.UTF_8));
        files.put("assets/kms-1.css", style.getBytes(StandardCharsets.UTF_8));
        files.put("assets/kms-1.js", script.getBytes(StandardCharsets.UTF_8));
        files.put("icon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(StandardCharsets.UTF_8));
        files.put("index.html", entryPage("").getBytes(StandardCharsets.UTF_8));
        entryHeaders.put("Content-Security-Policy", ENTRY_HEADERS_CSP);
        entryHeaders.put("X-Content-Type-Options", "nosniff");
        entryHeaders.put("Cache-Control", "no-cache");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::serve);
        server.start();
    }

    /** A site, started; for static fields. */
    public static KmsSite start() {
        try {
            return new KmsSite();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the test KMS site", e);
        }
    }

    /** The entry page, with {@code extra} markup before its closing body tag. */
    public String entryPage(String extra) {
        return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>ATS KMS</title>\n"
                + "<link rel=\"stylesheet\" href=\"/assets/kms-1.css\" integrity=\"" + Sri.of(files.get("assets/kms-1.css")) + "\">\n"
                + "<script type=\"module\" src=\"/assets/kms-1.js\" integrity=\"" + Sri.of(files.get("assets/kms-1.js"))
                + "\" crossorigin=\"anonymous\"></script>\n</head><body>" + extra + "</body></html>\n";
    }

    public URI origin() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void put(String path, String content) {
        files.put(path, content.getBytes(StandardCharsets.UTF_8));
    }

    public void put(String path, byte[] content) {
        files.put(path, content);
    }

    public byte[] get(String path) {
        return files.get(path).clone();
    }

    public void remove(String path) {
        files.remove(path);
    }

    public void entryHeader(String name, String value) {
        if (value == null) {
            entryHeaders.remove(name);
        } else {
            entryHeaders.put(name, value);
        }
    }

    /** Serve this file without a Content-Length, as a stream of chunks. */
    public void chunked(String path) {
        chunked.add(path);
    }

    public void redirect(String path, String location) {
        redirects.put(path, location);
    }

    /** Every file as served now, by path. */
    public Map<String, byte[]> files() {
        return new TreeMap<>(files);
    }

    /** A release of the files as served now (minus {@code leaveOut}), signed: the body {@code POST /v1/releases} takes. */
    public String signedRelease(String version, PrivateKey key, String... leaveOut) {
        Map<String, String> listed = new TreeMap<>();
        files.forEach((path, bytes) -> listed.put(path, Sri.of(bytes)));
        for (String path : leaveOut) {
            listed.remove(path);
        }
        StringBuilder statement = new StringBuilder("{\"type\":\"release\",\"version\":\"" + version
                + "\",\"sourceCommit\":\"0123456789abcdef0123456789abcdef01234567\",\"files\":{");
        String separator = "";
        for (Map.Entry<String, String> file : listed.entrySet()) {
            statement.append(separator).append('"').append(file.getKey()).append("\":\"").append(file.getValue()).append('"');
            separator = ",";
        }
        statement.append("}}");
        return signedBody(statement.toString(), key);
    }

    public static String signedBody(String statement, PrivateKey key) {
        SignedStatement signed = SignedStatement.sign(statement.getBytes(StandardCharsets.UTF_8), key);
        return "{\"statement\":\"" + Base64.getEncoder().encodeToString(signed.statement()) + "\",\"signature\":\""
                + Base64.getEncoder().encodeToString(signed.signature()) + "\"}";
    }

    public static String publicKeyBase64(java.security.PublicKey key) {
        return Base64.getEncoder().encodeToString(Ed25519.raw(key));
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String location = redirects.get(path);
            if (location != null) {
                exchange.getResponseHeaders().set("Location", location);
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            String file = path.equals("/") ? "index.html" : path.substring(1);
            byte[] body = files.get(file);
            if (body == null) {
                byte[] missing = "not found".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(404, missing.length);
                exchange.getResponseBody().write(missing);
                return;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", file.endsWith(".js") ? "text/javascript" : file.endsWith(".css") ? "text/css"
                    : file.endsWith(".html") ? "text/html; charset=utf-8" : "application/octet-stream");
            if (file.equals("index.html")) {
                headers.putAll(entryHeaders);
            } else {
                headers.put("Cache-Control", "public, max-age=31536000, immutable");
                headers.put("X-Content-Type-Options", "nosniff");
            }
            headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.sendResponseHeaders(200, chunked.contains(file) ? 0 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
