package run.ats.verifier.deploy;

import io.netty.handler.codec.http.HttpHeaders;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The response headers the enclave's entry page must carry: a CSP that limits who may frame it
 * ({@code frame-ancestors}, with no wildcard), {@code X-Content-Type-Options: nosniff}, and a
 * cache rule that makes browsers revalidate the page, so a new release (or a pulled one) takes
 * effect at the next load.
 */
final class SecurityHeaders {

    private SecurityHeaders() {
    }

    static List<Report.HeaderCheck> check(HttpHeaders headers) {
        List<Report.HeaderCheck> checks = new ArrayList<>();
        checks.add(frameAncestors(headers.getAll("Content-Security-Policy")));
        String sniff = headers.get("X-Content-Type-Options", "");
        checks.add(new Report.HeaderCheck("X-Content-Type-Options", sniff.trim().equalsIgnoreCase("nosniff"),
                sniff.isEmpty() ? "missing" : sniff));
        String cache = headers.get("Cache-Control", "").toLowerCase(Locale.ROOT);
        boolean revalidates = Arrays.stream(cache.split(",")).map(String::trim)
                .anyMatch(directive -> directive.equals("no-cache") || directive.equals("no-store") || directive.equals("max-age=0"));
        checks.add(new Report.HeaderCheck("Cache-Control", revalidates,
                cache.isEmpty() ? "missing: the entry page must be revalidated (no-cache)" : cache));
        return checks;
    }

    private static Report.HeaderCheck frameAncestors(List<String> policies) {
        for (String policy : policies) {
            for (String directive : policy.split(";")) {
                List<String> parts = Arrays.asList(directive.trim().split("\\s+"));
                if (parts.getFirst().equalsIgnoreCase("frame-ancestors")) {
                    List<String> sources = parts.subList(1, parts.size());
                    boolean wildcard = sources.isEmpty() || sources.stream().anyMatch(source ->
                            source.equals("*") || source.equalsIgnoreCase("https:") || source.equalsIgnoreCase("http:"));
                    return new Report.HeaderCheck("Content-Security-Policy", !wildcard,
                            wildcard ? "frame-ancestors lets any site frame the enclave: " + directive.trim() : directive.trim());
                }
            }
        }
        return new Report.HeaderCheck("Content-Security-Policy", false, "no frame-ancestors directive");
    }
}
