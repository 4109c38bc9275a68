package run.ats.verifier.deploy;

import io.netty.handler.codec.http.HttpHeaders;

import java.util.Locale;

/**
 * The request headers a desktop browser sends for each kind of load, so an origin that serves a
 * clean copy to anything that looks like a checker ("cloaking") has nothing obvious to go on: a
 * browser's User-Agent, its {@code Accept} for the destination, and the {@code Sec-Fetch-*}
 * headers of a top-level navigation, a script, a style sheet or a worker. What else still tells
 * the verifier apart (TLS and HTTP/2 fingerprints, where it connects from) is in docs/kms-verifier.md.
 */
enum BrowserRequest {

    DOCUMENT("document", "navigate", "none", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
            + "image/apng,*/*;q=0.8"),
    SCRIPT("script", "cors", "same-origin", "*/*"),
    STYLE("style", "no-cors", "same-origin", "text/css,*/*;q=0.1"),
    WORKER("worker", "same-origin", "same-origin", "*/*"),
    MANIFEST("manifest", "cors", "same-origin", "*/*"),
    IMAGE("image", "no-cors", "same-origin", "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"),
    OTHER("empty", "cors", "same-origin", "*/*");

    /** A current desktop Chrome on Windows, the most common browser a KMS user has. */
    static final String USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/142.0.0.0 Safari/537.36";

    private final String dest;
    private final String mode;
    private final String site;
    private final String accept;

    BrowserRequest(String dest, String mode, String site, String accept) {
        this.dest = dest;
        this.mode = mode;
        this.site = site;
        this.accept = accept;
    }

    void apply(HttpHeaders headers) {
        headers.set("User-Agent", USER_AGENT)
                .set("Accept", accept)
                .set("Accept-Language", "en-US,en;q=0.9")
                // Only what this client can decode (no br or zstd); bodies are counted against the cap decoded.
                .set("Accept-Encoding", "gzip, deflate")
                .set("Sec-Fetch-Dest", dest)
                .set("Sec-Fetch-Mode", mode)
                .set("Sec-Fetch-Site", site)
                .set("sec-ch-ua", "\"Chromium\";v=\"142\", \"Google Chrome\";v=\"142\", \"Not_A Brand\";v=\"99\"")
                .set("sec-ch-ua-mobile", "?0")
                .set("sec-ch-ua-platform", "\"Windows\"");
        if (this == DOCUMENT) {
            headers.set("Sec-Fetch-User", "?1").set("Upgrade-Insecure-Requests", "1").set("Cache-Control", "max-age=0");
        }
    }

    /** How a browser would load a file referenced as {@code kind} (the crawler's reference kinds) at {@code path}. */
    static BrowserRequest of(String kind, String path) {
        return switch (kind) {
            case "script", "modulepreload", "script-reference" -> byPath(path, SCRIPT);
            case "stylesheet" -> STYLE;
            case "worker" -> WORKER;
            case "manifest" -> MANIFEST;
            default -> byPath(path, OTHER);
        };
    }

    /** A file found only in a release's list (an icon, say): what its name says it is. */
    static BrowserRequest byPath(String path, BrowserRequest otherwise) {
        String name = path.toLowerCase(Locale.ROOT);
        if (name.equals("index.html") || name.endsWith(".html")) {
            return DOCUMENT;
        }
        if (name.endsWith(".js") || name.endsWith(".mjs")) {
            return SCRIPT;
        }
        if (name.endsWith(".css")) {
            return STYLE;
        }
        if (name.matches(".*\\.(png|svg|ico|gif|jpe?g|webp|avif)")) {
            return IMAGE;
        }
        if (name.endsWith(".webmanifest")) {
            return MANIFEST;
        }
        return otherwise;
    }
}
