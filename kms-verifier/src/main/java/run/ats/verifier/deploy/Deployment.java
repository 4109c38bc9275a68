package run.ats.verifier.deploy;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * What a deployment serves, as far as its entry page leads: every file by its path under the
 * origin (the entry page as {@code index.html}), the references found (with the {@code integrity}
 * attribute, if the reference is an HTML element that carries one), and what could not be followed.
 */
public record Deployment(URI origin, SiteFetcher.Fetched entry, Map<String, SiteFetcher.Fetched> files,
                         List<Reference> references, List<String> problems) {

    /** {@code integrity} is null when the reference has no such attribute (say a worker named in a script). */
    public record Reference(String from, URI url, String path, String kind, String integrity) {
    }

    /** The path a URL on this origin has in a release manifest. */
    public static String pathOf(URI url) {
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return path.isEmpty() || path.equals("/") ? "index.html" : path.substring(1);
    }
}
