package run.ats.verifier.deploy;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.net.URI;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an origin serves, as the crawler reads it: the script scan never fails, stays linear (a
 * bounded number of reads per character), finds only text that is in the script; a redirect's
 * {@code Location} is an http(s) URL with a host or an {@link UnsafeFetchException}.
 */
class ReferenceScanFuzzTest {

    private static final URI FROM = URI.create("https://kms.example/assets/app.js");

    @FuzzTest(maxDuration = "20s")
    void scriptsAreScannedInLinearTime(byte[] input) {
        String code = new String(input, StandardCharsets.UTF_8);
        ScriptScanner.Scan scan = ScriptScanner.scan(code);
        assertThat(scan.charactersRead()).isLessThanOrEqualTo(4L * code.length() + 16);
        for (ScriptScanner.Found found : scan.found()) {
            assertThat(code).contains(found.target());
        }
        DeploymentCrawler.pageReferences(URI.create("https://kms.example/"), input);
    }

    @FuzzTest(maxDuration = "20s")
    void locationsResolveOrAreRefused(byte[] input) {
        String location = new String(input, StandardCharsets.ISO_8859_1);
        try {
            URI target = RedirectTarget.resolve(FROM, location);
            assertThat(target.getScheme().toLowerCase(java.util.Locale.ROOT)).isIn("http", "https");
            assertThat(target.getHost()).isNotNull();
            assertThat(target.isAbsolute()).isTrue();
        } catch (UnsafeFetchException refused) {
            // the documented rejection
        }
    }
}
