package run.ats.verifier.deploy;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;

/**
 * Fetches files from a deployment, within limits: only addresses the {@link AddressPolicy}
 * allows (checked after DNS resolution, on the address connected to), redirects only within the
 * same origin, a size cap on every body (read as it streams, not after), a time cap on every fetch.
 */
public final class SiteFetcher {

    /** One fetched file: {@code status} 200 for a body; headers as served. */
    public record Fetched(URI url, int status, HttpHeaders headers, byte[] body) {
    }

    private final HttpClient client;
    private final AddressPolicy policy;
    private final long maxBytes;
    private final Duration timeout;
    private final int maxRedirects;

    public SiteFetcher(AddressPolicy policy, long maxBytes, Duration timeout, int maxRedirects, Scheduler blocking) {
        this.policy = policy;
        this.maxBytes = maxBytes;
        this.timeout = timeout;
        this.maxRedirects = maxRedirects;
        this.client = HttpClient.create(ConnectionProvider.builder("verifier-fetch").maxConnections(16)
                        .pendingAcquireMaxCount(256).maxIdleTime(Duration.ofSeconds(20)).build())
                .resolver(new GuardedResolver(policy, task -> blocking.schedule(task)))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .responseTimeout(timeout)
                .followRedirect(false)
                // Bodies arrive decoded (gzip, deflate), and are counted against the cap as they are decoded.
                .compress(true);
    }

    /** Fetches {@code url} as a browser loads a page: the entry page's way. */
    public Mono<Fetched> fetch(URI url) {
        return fetch(url, BrowserRequest.DOCUMENT);
    }

    /** Fetches {@code url} with the headers a browser sends for {@code as}. */
    Mono<Fetched> fetch(URI url, BrowserRequest as) {
        return fetch(url, url, 0, as).timeout(timeout, Mono.error(() -> new UnsafeFetchException("fetching " + url
                + " took longer than " + timeout.toSeconds() + " s")));
    }

    private Mono<Fetched> fetch(URI origin, URI url, int redirects, BrowserRequest as) {
        try {
            checkLiteral(url);
        } catch (UnsafeFetchException e) {
            return Mono.error(e);
        }
        return client.headers(as::apply).get().uri(url).response((response, content) -> {
            int status = response.status().code();
            HttpHeaders headers = response.responseHeaders();
            if (status >= 300 && status < 400 && headers.contains("Location")) {
                // The redirect's body is drained (not kept) so the connection can be reused for the next fetch.
                return content.then(Mono.fromCallable(() -> RedirectTarget.resolve(url, headers.get("Location"))))
                        .flatMap(next -> follow(origin, url, next, redirects, as));
            }
            String length = headers.get("Content-Length");
            if (length != null && length.matches("[0-9]{1,18}") && Long.parseLong(length) > maxBytes) {
                return Mono.<Fetched>error(tooLarge(url));
            }
            // Count the bytes as they arrive: a body over the cap fails the fetch without being held.
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            return content.asByteArray()
                    .<byte[]>handle((chunk, sink) -> {
                        if (received.size() + (long) chunk.length > maxBytes) {
                            sink.error(tooLarge(url));
                        } else {
                            received.writeBytes(chunk);
                        }
                    })
                    .then(Mono.fromCallable(() -> new Fetched(url, status, headers, received.toByteArray())));
        }).single();
    }

    /** A redirect is followed within the origin only, and only so many times. */
    private Mono<Fetched> follow(URI origin, URI url, URI next, int redirects, BrowserRequest as) {
        if (!sameOrigin(origin, next)) {
            return Mono.error(new UnsafeFetchException(url + " redirects to another origin (" + next.getScheme() + "://"
                    + next.getAuthority() + "): refused"));
        }
        if (redirects >= maxRedirects) {
            return Mono.error(new UnsafeFetchException(url + ": more than " + maxRedirects + " redirects"));
        }
        return fetch(origin, next, redirects + 1, as);
    }

    private UnsafeFetchException tooLarge(URI url) {
        return new UnsafeFetchException(url + " is larger than the " + maxBytes + " bytes a file may have");
    }

    /** Hosts written as addresses never reach the resolver: check them here. */
    private void checkLiteral(URI url) {
        String host = url.getHost();
        if (host == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw new UnsafeFetchException(url + " is not an http(s) URL with a host");
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(bare);
        if (literal != null) {
            policy.check(literal);
        }
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
