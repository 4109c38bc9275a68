package run.ats.verifier.deploy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import run.ats.verifier.VerifierProperties;
import run.ats.verifier.log.Evidences;
import run.ats.verifier.log.TransparencyLog;
import run.ats.verifier.release.Releases;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies the allow-listed origins, and only those. Requests for the same origin within
 * {@code ats.verifier.verify-cache} share one verification, so callers cannot make the verifier
 * hammer a deployment.
 */
@Component
public final class Verifications {

    private static final Logger logger = LoggerFactory.getLogger(Verifications.class);

    private final Map<String, URI> origins;
    private final DeploymentCheck check;
    private record Recent(Mono<Report> report, long startedNanos, long logSize) {
    }

    private final Map<String, Recent> recent = new ConcurrentHashMap<>();
    private final Clock clock;
    private final TransparencyLog log;
    private final VerifierProperties properties;
    private final Scheduler blocking = Schedulers.newBoundedElastic(4, 256, "verifier-dns");
    /** The origin's pages and scripts are parsed here, off the event loops; two threads, as parsing is CPU work. */
    private final Scheduler parsing = Schedulers.newBoundedElastic(2, 1024, "verifier-parse");

    Verifications(VerifierProperties properties, Releases releases, Evidences evidences, TransparencyLog log, Clock clock) {
        this.properties = properties;
        this.log = log;
        this.clock = clock;
        this.origins = properties.origins().stream().filter(uri -> uri.getHost() != null)
                .collect(java.util.stream.Collectors.toMap(Verifications::originOf, uri -> URI.create(originOf(uri)), (a, b) -> a,
                        java.util.LinkedHashMap::new));
        VerifierProperties.Fetch limits = properties.fetch();
        SiteFetcher fetcher = new SiteFetcher(AddressPolicy.publicOnly(limits.allowLoopback()), limits.maxFileSize().toBytes(),
                limits.timeout(), limits.maxRedirects(), blocking);
        ReleaseSource source = integrities -> Flux.fromIterable(integrities)
                .concatMap(integrity -> releases.byFile(integrity, "index.html"))
                .distinct(release -> release.version())
                .concatMap(release -> evidences.of(release.leafIndex()).map(evidence -> new ReleaseSource.Candidate(release, evidence)));
        this.check = new DeploymentCheck(new DeploymentCrawler(fetcher, limits.maxFiles(), parsing), fetcher, source, clock);
    }

    public List<URI> origins() {
        return List.copyOf(origins.values());
    }

    /** The allow-listed origin this text names, if any. */
    public Optional<URI> allowed(String origin) {
        try {
            URI uri = URI.create(origin.trim());
            if (uri.getHost() == null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
                    || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
                return Optional.empty();
            }
            return Optional.ofNullable(origins.get(originOf(uri)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Verifies an allow-listed origin (never failing: a failure to check is a cannot-check report), or answers the verification still fresh for it: started
     * within {@code verify-cache}, and with the log as it is now (a release or deprecation logged
     * since, on any replica, makes a new verification).
     */
    public Mono<Report> verify(URI origin) {
        return log.head().flatMap(head -> {
            long now = System.nanoTime();
            return recent.compute(originOf(origin), (key, existing) -> existing != null && existing.logSize() == head.size()
                    && now - existing.startedNanos() < properties.verifyCache().toNanos() ? existing : fresh(origin, now, head.size()))
                    .report();
        }).onErrorResume(e -> cannotCheck(origin, e));
    }

    /** Verifies now, whatever was cached: the monitor's way. Never fails, as {@link #verify} does not. */
    public Mono<Report> verifyNow(URI origin) {
        return log.head().flatMap(head -> {
            Recent fresh = fresh(origin, System.nanoTime(), head.size());
            recent.put(originOf(origin), fresh);
            return fresh.report();
        }).onErrorResume(e -> cannotCheck(origin, e));
    }

    /** The origin's failures are reports already: what is left is the verifier's own (its database), logged, not described. */
    private Mono<Report> cannotCheck(URI origin, Throwable e) {
        logger.warn("Could not verify {}: the verifier failed", origin, e);
        return Mono.fromSupplier(() -> Report.cannotCheck(originOf(origin), clock.instant(),
                "cannot check: the verifier failed (" + e.getClass().getSimpleName() + "; see its log)"));
    }

    /** One shared run: every subscriber gets the same report; the map has one per allow-listed origin. */
    private Recent fresh(URI origin, long startedNanos, long logSize) {
        Duration total = properties.fetch().total();
        Mono<Report> report = check.verify(origin)
                .timeout(total, Mono.fromSupplier(() -> Report.cannotCheck(originOf(origin), clock.instant(),
                        "cannot check: the verification took longer than " + total.toSeconds() + " s")))
                .cache();
        return new Recent(report, startedNanos, logSize);
    }

    static String originOf(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port < 0 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }
}
