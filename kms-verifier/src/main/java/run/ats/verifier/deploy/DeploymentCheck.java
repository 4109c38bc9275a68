package run.ats.verifier.deploy;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import run.ats.verifier.release.ReleaseRecord;
import run.ats.verifier.release.Statement;
import run.ats.verifier.sri.Sri;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Verifies a deployed KMS against the log: crawls the origin, finds the logged release whose
 * entry page it serves, fetches every file that release lists, and compares file by file. Any
 * difference, an unlisted file, a deprecated release or a missing security header is a mismatch.
 */
public final class DeploymentCheck {

    private final DeploymentCrawler crawler;
    private final SiteFetcher fetcher;
    private final ReleaseSource releases;
    private final Clock clock;

    public DeploymentCheck(DeploymentCrawler crawler, SiteFetcher fetcher, ReleaseSource releases, Clock clock) {
        this.crawler = crawler;
        this.fetcher = fetcher;
        this.releases = releases;
        this.clock = clock;
    }

    /**
     * Any failure to fetch the origin is a {@link Report.Verdict#CANNOT_CHECK} report that says what
     * failed; a failure of the release source (the log's evidence, its database) is the caller's to report.
     */
    public Mono<Report> verify(URI origin) {
        return crawler.crawl(origin)
                .onErrorMap(CannotCheck::atOrigin)
                .flatMap(this::against)
                .onErrorResume(CannotCheck.AtOrigin.class, failed -> Mono.fromSupplier(() -> Report.cannotCheck(origin.toString(),
                        clock.instant(), CannotCheck.describe(failed.getCause()))));
    }

    private Mono<Report> against(Deployment deployment) {
        List<Report.HeaderCheck> headers = SecurityHeaders.check(deployment.entry().headers());
        if (deployment.entry().status() != 200) {
            return Mono.just(new Report(deployment.origin().toString(), Report.Verdict.MISMATCH, clock.instant(), null, List.of(),
                    headers, deployment.problems(), null));
        }
        byte[] entry = deployment.entry().body();
        Set<String> entryHashes = Stream.of(Sri.Algorithm.values()).map(algorithm -> Sri.of(algorithm, entry))
                .collect(Collectors.toSet());
        return releases.byEntryPage(entryHashes).collectList().flatMap(candidates -> {
            if (candidates.isEmpty()) {
                List<String> problems = new ArrayList<>(deployment.problems());
                problems.add("the entry page (" + Sri.of(entry) + ") is in no logged release");
                return Mono.just(new Report(deployment.origin().toString(), Report.Verdict.MISMATCH, clock.instant(), null,
                        entryOnly(deployment), headers, problems, null));
            }
            // The newest live release that serves this entry page; a deprecated one only if none is live.
            ReleaseSource.Candidate chosen = candidates.stream()
                    .max(Comparator.comparing((ReleaseSource.Candidate c) -> !c.release().deprecated())
                            .thenComparingLong(c -> c.release().leafIndex()))
                    .orElseThrow();
            return compare(deployment, chosen, headers);
        });
    }

    private Mono<Report> compare(Deployment deployment, ReleaseSource.Candidate candidate, List<Report.HeaderCheck> headers) {
        ReleaseRecord release = candidate.release();
        Map<String, SiteFetcher.Fetched> served = new LinkedHashMap<>(deployment.files());
        List<String> problems = new ArrayList<>(deployment.problems());
        // Files the release lists that the entry page does not lead to (icons, say) are fetched too.
        return Flux.fromIterable(release.files().keySet())
                .filter(path -> !served.containsKey(path))
                .concatMap(path -> fetcher.fetch(deployment.origin().resolve("/" + path), BrowserRequest.byPath(path, BrowserRequest.OTHER))
                        .doOnNext(fetched -> served.put(path, fetched))
                        .onErrorResume(UnsafeFetchException.class, refused -> {
                            problems.add(refused.getMessage());
                            return Mono.empty();
                        })
                        .onErrorMap(CannotCheck::atOrigin))
                .then(Mono.fromSupplier(() -> {
                    List<Report.FileCheck> files = new ArrayList<>();
                    release.files().forEach((path, expected) -> files.add(check(path, expected, served.get(path))));
                    served.forEach((path, fetched) -> {
                        if (!release.files().containsKey(path) && fetched.status() == 200) {
                            files.add(new Report.FileCheck(path, Report.FileVerdict.UNLISTED, null, Sri.of(fetched.body()),
                                    "served and loaded, but not in release " + release.version()));
                        }
                    });
                    deployment.references().forEach(reference -> {
                        SiteFetcher.Fetched fetched = served.get(reference.path());
                        if (reference.integrity() != null && fetched != null && fetched.status() == 200
                                && !Sri.matches(reference.integrity(), fetched.body())) {
                            files.add(new Report.FileCheck(reference.path(), Report.FileVerdict.INTEGRITY_MISMATCH,
                                    reference.integrity(), Sri.of(fetched.body()),
                                    reference.from() + " names it with an integrity value it does not have: browsers refuse it"));
                        }
                    });
                    if (release.deprecated()) {
                        problems.add("release " + release.version() + " is deprecated: " + release.deprecatedReason());
                    }
                    boolean match = problems.isEmpty() && release.files().containsKey(Statement.ENTRY_PAGE)
                            && files.stream().allMatch(file -> file.verdict() == Report.FileVerdict.MATCH)
                            && headers.stream().allMatch(Report.HeaderCheck::ok);
                    return new Report(deployment.origin().toString(), match ? Report.Verdict.MATCH : Report.Verdict.MISMATCH,
                            clock.instant(), new Report.ReleaseRef(release.version(), release.sourceCommit(), release.leafIndex(),
                            release.deprecated(), release.deprecatedReason()), files, headers, problems, candidate.evidence());
                }));
    }

    private static Report.FileCheck check(String path, String expected, SiteFetcher.Fetched fetched) {
        if (fetched == null || fetched.status() != 200) {
            return new Report.FileCheck(path, Report.FileVerdict.MISSING, expected, null,
                    fetched == null ? "not fetched" : "answered " + fetched.status());
        }
        String served = Sri.of(Sri.parse(expected).getFirst().algorithm(), fetched.body());
        boolean same = Sri.matches(expected, fetched.body());
        return new Report.FileCheck(path, same ? Report.FileVerdict.MATCH : Report.FileVerdict.CHANGED, expected, served,
                same ? null : "the served bytes differ from the release's");
    }

    private static List<Report.FileCheck> entryOnly(Deployment deployment) {
        return List.of(new Report.FileCheck("index.html", Report.FileVerdict.UNLISTED, null, Sri.of(deployment.entry().body()),
                "no logged release has this entry page"));
    }
}
