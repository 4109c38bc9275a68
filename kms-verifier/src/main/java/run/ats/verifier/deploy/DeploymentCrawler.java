package run.ats.verifier.deploy;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Fetches a deployed KMS the way a browser would load it: the entry page at the origin's root,
 * each script, style sheet and preload it names, and, inside scripts, the workers, service
 * workers, imported chunks and {@code new URL(..., import.meta.url)} assets they load. Only the
 * origin itself is fetched; a reference to anywhere else is recorded as a problem.
 */
public final class DeploymentCrawler {

    private static final Set<String> LINK_RELS = Set.of("stylesheet", "modulepreload", "preload", "manifest");

    private final SiteFetcher fetcher;
    private final int maxFiles;
    private final Scheduler parsing;

    /**
     * @param parsing where the origin's pages and scripts are parsed: a bounded scheduler, never an
     *                event loop, so a slow parse delays this verification only
     */
    public DeploymentCrawler(SiteFetcher fetcher, int maxFiles, Scheduler parsing) {
        this.fetcher = fetcher;
        this.maxFiles = maxFiles;
        this.parsing = parsing;
    }

    /**
     * Fails when the entry page cannot be fetched, or a later fetch fails other than by a refusal
     * ({@link UnsafeFetchException}, which is a problem in the result): the caller reports either as "cannot check".
     */
    public Mono<Deployment> crawl(URI origin) {
        URI root = origin.resolve("/");
        return fetcher.fetch(root).flatMap(entry -> {
            Map<String, SiteFetcher.Fetched> files = new LinkedHashMap<>();
            List<Deployment.Reference> references = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            if (entry.status() != 200) {
                problems.add("the entry page answered " + entry.status());
                return Mono.just(new Deployment(origin, entry, files, references, problems));
            }
            files.put("index.html", entry);
            return offLoop(() -> pageReferences(root, entry.body()))
                    .flatMap(onPage -> follow(root, new ArrayDeque<>(onPage), files, references, problems))
                    .thenReturn(new Deployment(origin, entry, files, references, problems));
        });
    }

    private Mono<Void> follow(URI root, Deque<Deployment.Reference> queue, Map<String, SiteFetcher.Fetched> files,
                              List<Deployment.Reference> references, List<String> problems) {
        return Mono.defer(() -> {
            Deployment.Reference next = queue.poll();
            if (next == null) {
                return Mono.empty();
            }
            references.add(next);
            if (!SiteFetcher.sameOrigin(root, next.url())) {
                problems.add(next.from() + " loads " + next.url() + " from another origin");
                return follow(root, queue, files, references, problems);
            }
            if (files.containsKey(next.path())) {
                return follow(root, queue, files, references, problems);
            }
            if (files.size() >= maxFiles) {
                problems.add("more than " + maxFiles + " files; " + next.path() + " and any after it were not fetched");
                return Mono.empty();
            }
            return fetcher.fetch(next.url(), BrowserRequest.of(next.kind(), next.path()))
                    .doOnNext(fetched -> files.put(next.path(), fetched))
                    .filter(fetched -> fetched.status() == 200 && isScript(next, fetched))
                    .flatMap(script -> offLoop(() -> scriptReferences(root, next.path(), script)))
                    .doOnNext(queue::addAll)
                    .onErrorResume(UnsafeFetchException.class, refused -> {
                        problems.add(refused.getMessage());
                        return Mono.empty();
                    })
                    .then(Mono.defer(() -> follow(root, queue, files, references, problems)));
        });
    }

    private <T> Mono<T> offLoop(Callable<T> parse) {
        return Mono.fromCallable(parse).subscribeOn(parsing);
    }

    static List<Deployment.Reference> pageReferences(URI root, byte[] html) {
        Document page = Jsoup.parse(new String(html, StandardCharsets.UTF_8), root.toString());
        List<Deployment.Reference> found = new ArrayList<>();
        for (Element script : page.select("script[src]")) {
            add(found, "index.html", page.baseUri(), script.attr("src"), "script", script.hasAttr("integrity") ? script.attr("integrity") : null);
        }
        for (Element link : page.select("link[href][rel]")) {
            String rel = link.attr("rel").toLowerCase(Locale.ROOT).trim();
            if (LINK_RELS.contains(rel)) {
                add(found, "index.html", page.baseUri(), link.attr("href"), rel, link.hasAttr("integrity") ? link.attr("integrity") : null);
            }
        }
        // Module scripts written inline in the page can start workers too.
        for (Element inline : page.select("script:not([src])")) {
            found.addAll(references("index.html", root, URI.create(page.baseUri()), inline.data()));
        }
        return found;
    }

    static List<Deployment.Reference> scriptReferences(URI root, String path, SiteFetcher.Fetched script) {
        return references(path, root, script.url(), new String(script.body(), StandardCharsets.UTF_8));
    }

    private static List<Deployment.Reference> references(String from, URI document, URI script, String code) {
        List<Deployment.Reference> found = new ArrayList<>();
        for (ScriptScanner.Found reference : ScriptScanner.scan(code).found()) {
            if (reference.scriptRelative()) {
                add(found, from, script.toString(), reference.target(), "script-reference", null);
            } else {
                add(found, from, document.toString(), reference.target(), "worker", null);
            }
        }
        return found;
    }

    private static void add(List<Deployment.Reference> found, String from, String base, String target, String kind, String integrity) {
        try {
            URI url = URI.create(base).resolve(target.trim());
            if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))) {
                return;
            }
            URI withoutQuery = new URI(url.getScheme(), url.getAuthority(), url.getPath(), null, null);
            found.add(new Deployment.Reference(from, withoutQuery, Deployment.pathOf(withoutQuery), kind, integrity));
        } catch (IllegalArgumentException | java.net.URISyntaxException e) {
            // Not a URL a browser would load either.
        }
    }

    private static boolean isScript(Deployment.Reference reference, SiteFetcher.Fetched fetched) {
        String type = fetched.headers().get("Content-Type", "").toLowerCase(Locale.ROOT);
        return reference.path().endsWith(".js") || reference.path().endsWith(".mjs") || type.contains("javascript");
    }
}
