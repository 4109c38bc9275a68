package run.ats.verifier.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The crawler's reference scan: every form it knows, the same findings as the regular expressions
 * it replaced, and a cost linear in the script's length whatever the script (the origin writes it).
 */
class ScriptScannerTest {

    static Stream<Arguments> forms() {
        return Stream.of(
                Arguments.of("new URL(\"/assets/w.js\", import.meta.url)", List.of("s:/assets/w.js")),
                Arguments.of("new URL ( 'w.js' ,\n import.meta.url )", List.of("s:w.js")),
                Arguments.of("new URL(`./w.wasm`, import.meta.url)", List.of("s:./w.wasm")),
                Arguments.of("new URL(\"w.js\", import . meta.url)", List.of()),
                Arguments.of("importScripts(\"/sw-lib.js\", \"/other.js\")", List.of("s:/sw-lib.js")),
                Arguments.of("self.importScripts('a.js')", List.of("s:a.js")),
                Arguments.of("import(\"./chunk-1.js\")", List.of("s:./chunk-1.js")),
                Arguments.of("import ( '../up.js' )", List.of("s:../up.js")),
                Arguments.of("import(\"bare-module\")", List.of()),
                Arguments.of("import(`./template.js`)", List.of()),
                Arguments.of("import \"./side-effect.js\";", List.of("s:./side-effect.js")),
                Arguments.of("import x from \"./x.js\";", List.of("s:./x.js")),
                Arguments.of("import {a, b as c} from '/ab.js'", List.of("s:/ab.js")),
                Arguments.of("import * as ns from \"../ns.js\"", List.of("s:../ns.js")),
                Arguments.of("import $, {_x} from\"./d.js\"", List.of("s:./d.js")),
                Arguments.of("export * from './re.js'; export {y} from \"./y.js\"", List.of("s:./re.js", "s:./y.js")),
                Arguments.of("import x from \"react\"", List.of()),
                Arguments.of("import x; from \"./no.js\"", List.of()),
                Arguments.of("reimport x from \"./no.js\"", List.of()),
                Arguments.of("new Worker(\"/assets/worker-1.js\", { type: \"module\" })", List.of("d:/assets/worker-1.js")),
                Arguments.of("new SharedWorker('/shared.js')", List.of("d:/shared.js")),
                Arguments.of("new Worker(new URL(\"/w.js\", import.meta.url))", List.of("s:/w.js")),
                Arguments.of("navigator.serviceWorker.register(\"/sw.js\")", List.of("d:/sw.js")),
                Arguments.of("navigator.serviceWorker . register ( '/sw.js', {scope: '/'})", List.of("d:/sw.js")),
                Arguments.of("new Worker(\"a b.js\")", List.of()),
                Arguments.of("// import \"./in-comment.js\"\n/* new Worker('/in-block.js') */",
                        List.of("s:./in-comment.js", "d:/in-block.js")),
                Arguments.of("const a = import.meta.url; new URL(\"x.svg\", import.meta.urlnew URL(\"y.svg\", import.meta.url)",
                        List.of("s:x.svg", "s:y.svg")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forms")
    void findsEachForm(String code, List<String> expected) {
        List<String> found = ScriptScanner.scan(code).found().stream()
                .map(f -> (f.scriptRelative() ? "s:" : "d:") + f.target()).toList();
        assertThat(found).isEqualTo(expected);
        assertThat(LegacyReferenceRegexes.scan(code)).as("the regular expressions it replaced").isEqualTo(ScriptScanner.scan(code).found());
    }

    /**
     * Word-sized pieces of scripts, joined with or without space, compared with the old expressions; the one
     * difference is avoided. 3,000 scripts from a fixed seed, so a failure names a script that fails again.
     */
    @ParameterizedTest
    @MethodSource("scripts")
    void findsWhatTheRegularExpressionsFound(String code) {
        assertThat(ScriptScanner.scan(code).found()).isEqualTo(LegacyReferenceRegexes.scan(code));
    }

    static Stream<String> scripts() {
        List<String> pieces = List.of("import", "export", "from", "new", "URL", "Worker", "SharedWorker",
                "serviceWorker", "register", "importScripts", "import.meta.url", "meta", "url", "xfrom", "renew", "as", "a",
                "(", ")", ",", ".", "{", "}", "*", "$", ";", "/", "\"./a.js\"", "'../b.js'", "\"/c.js\"", "`d.js`", "'e'",
                "\"f g\"", "\"bare\"", "\"", "'", "`");
        List<String> spaces = List.of("", " ", " ", "\n", "\t ");
        Random random = new Random(18);
        return Stream.generate(() -> {
            StringBuilder code = new StringBuilder();
            for (int i = random.nextInt(15); i > 0; i--) {
                String piece = pieces.get(random.nextInt(pieces.size()));
                // Space around quotes: where a quote closes one string, the expressions let it open the next
                // ("import"./a.js" was a reference to them); the scanner, as JavaScript, does not.
                boolean quoted = piece.matches(".*[\"'`].*");
                code.append(quoted ? " " : "").append(piece).append(quoted ? " " : spaces.get(random.nextInt(spaces.size())));
            }
            return code.toString();
        }).limit(3000);
    }

    static Stream<Arguments> hostile() {
        return Stream.<Arguments>of(
                Arguments.of("import and spaces", (IntFunction<String>) n -> "import" + " ".repeat(n)),
                Arguments.of("import and words", (IntFunction<String>) n -> "import" + " a".repeat(n / 2)),
                Arguments.of("imports", (IntFunction<String>) n -> "import ".repeat(n / 7)),
                Arguments.of("export clause", (IntFunction<String>) n -> "export {" + "a,".repeat(n / 2) + " from \"bare\""),
                Arguments.of("unclosed quotes", (IntFunction<String>) n -> "new Worker(\"" + "a".repeat(n)),
                Arguments.of("quote then words", (IntFunction<String>) n -> "\"a`".repeat(n / 3)),
                Arguments.of("new URL prefix", (IntFunction<String>) n -> "new URL(\"a\", ".repeat(n / 13)),
                Arguments.of("service workers", (IntFunction<String>) n -> "serviceWorker.register(".repeat(n / 23)));
    }

    /** Characters read per character of script stay under a constant, at 20 KB and at 2 MB (the largest file fetched). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void costIsLinearInTheScriptsLength(String name, IntFunction<String> script) {
        for (int size : new int[]{20_000, 2_000_000}) {
            String code = script.apply(size);
            ScriptScanner.Scan scan = ScriptScanner.scan(code);
            assertThat(scan.charactersRead()).as(name + " at " + code.length() + " characters")
                    .isLessThanOrEqualTo(4L * code.length() + 16);
        }
    }

    /**
     * Through the crawler as the origin's script reaches it: 20 KB of {@code import} and spaces kept a thread
     * for hours under the old expressions (the timeout stops it); now it is done at once.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void hostileScriptsDoNotHoldTheCrawler(String name, IntFunction<String> script) {
        byte[] body = script.apply(20_000).getBytes(StandardCharsets.UTF_8);
        SiteFetcher.Fetched fetched = new SiteFetcher.Fetched(URI.create("https://kms.example/assets/a.js"), 200,
                io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE, body);
        assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> DeploymentCrawler.scriptReferences(URI.create("https://kms.example/"), "assets/a.js", fetched));
    }

    @Test
    void aScriptScanIsFoundThroughTheCrawler() {
        byte[] body = "import x from \"./x.js\"; new Worker('/w.js')".getBytes(StandardCharsets.UTF_8);
        SiteFetcher.Fetched fetched = new SiteFetcher.Fetched(URI.create("https://kms.example/assets/a.js?v=1"), 200,
                io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE, body);
        assertThat(DeploymentCrawler.scriptReferences(URI.create("https://kms.example/"), "assets/a.js", fetched))
                .extracting(Deployment.Reference::path, Deployment.Reference::kind)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("assets/x.js", "script-reference"),
                        org.assertj.core.groups.Tuple.tuple("w.js", "worker"));
    }
}
