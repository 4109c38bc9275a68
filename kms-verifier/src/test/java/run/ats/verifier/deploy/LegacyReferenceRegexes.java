package run.ats.verifier.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The regular expressions the crawler used before {@link ScriptScanner}, kept as the oracle the
 * scanner is compared with: on inputs small enough for their backtracking not to matter, both find
 * the same references in the same order.
 */
final class LegacyReferenceRegexes {

    private static final String STRING = "([\"'`])([^\"'`\\s]+)\\1";
    private static final List<Pattern> SCRIPT_RELATIVE = List.of(
            Pattern.compile("new\\s+URL\\s*\\(\\s*" + STRING + "\\s*,\\s*import\\.meta\\.url"),
            Pattern.compile("importScripts\\s*\\(\\s*" + STRING),
            Pattern.compile("\\bimport\\s*\\(\\s*([\"'])(\\.{0,2}/[^\"'\\s]+)\\1"),
            Pattern.compile("\\b(?:import|export)\\s*(?:[\\w$*{}\\s,]+?\\s*from\\s*)?([\"'])(\\.{0,2}/[^\"'\\s]+)\\1"));
    private static final List<Pattern> DOCUMENT_RELATIVE = List.of(
            Pattern.compile("new\\s+(?:Shared)?Worker\\s*\\(\\s*" + STRING),
            Pattern.compile("serviceWorker\\s*\\.\\s*register\\s*\\(\\s*" + STRING));

    private LegacyReferenceRegexes() {
    }

    static List<ScriptScanner.Found> scan(String code) {
        List<ScriptScanner.Found> found = new ArrayList<>();
        for (Pattern pattern : SCRIPT_RELATIVE) {
            Matcher m = pattern.matcher(code);
            while (m.find()) {
                found.add(new ScriptScanner.Found(m.group(2), true));
            }
        }
        for (Pattern pattern : DOCUMENT_RELATIVE) {
            Matcher m = pattern.matcher(code);
            while (m.find()) {
                found.add(new ScriptScanner.Found(m.group(2), false));
            }
        }
        return found;
    }
}
